import Elevation
import Foundation

/// Parsing of the plugin's argument forms (`--subject`, `--for`, `--rule`), kept apart from the
/// command-line library so the rules are testable and the messages are the plugin's own.
public enum PluginArguments {
    /// `sa:NAMESPACE/NAME` → a service account subject; `jwt:PRINCIPAL` → a request principal.
    public static func subject(_ text: String) throws(PluginError) -> Subject {
        if text.hasPrefix("sa:") {
            let parts = text.dropFirst(3).split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty,
                  parts.allSatisfy({ $0.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." } })
            else { throw .badSubject(text) }
            return .serviceAccount(String(parts[0]), String(parts[1]))
        }
        if text.hasPrefix("jwt:") {
            let principal = String(text.dropFirst(4))
            guard principal.contains("/"), !principal.hasPrefix("/"), !principal.hasSuffix("/") else { throw .badSubject(text) }
            return Subject(requestPrincipal: principal)
        }
        throw .badSubject(text)
    }

    /// A Go duration such as `10m`; returns the text as given once it parses and is positive.
    public static func duration(_ text: String) throws(PluginError) -> String {
        guard let parsed = try? GoDuration.parse(text), parsed.nanoseconds > 0 else { throw .badDuration(text) }
        return text
    }

    /// `port=8080,method=GET,path=/x` → an access rule; keys may repeat (values are ORed).
    public static func rule(_ text: String) throws(PluginError) -> AccessRule {
        var rule = AccessRule()
        for pair in text.split(separator: ",") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, !parts[1].isEmpty else { throw .badRule(text, reason: "has \"\(pair)\", which is not key=value") }
            let value = String(parts[1])
            switch parts[0] {
            case "port":
                guard let port = Int(value), (1...65535).contains(port) else {
                    throw .badRule(text, reason: "has port \(value), which is not a number from 1 to 65535")
                }
                rule.ports = (rule.ports ?? []) + [value]
            case "method":
                guard AccessRule.httpMethods.contains(value.uppercased()) else {
                    throw .badRule(text, reason: "has method \(value), which is not an HTTP method")
                }
                rule.methods = (rule.methods ?? []) + [value.uppercased()]
            case "path":
                guard value.hasPrefix("/") || value.hasPrefix("*") else {
                    throw .badRule(text, reason: "has path \(value), which does not start with / or *")
                }
                rule.paths = (rule.paths ?? []) + [value]
            default:
                throw .badRule(text, reason: "has the key \(parts[0]), which is not port, method or path")
            }
        }
        guard rule != AccessRule() else { throw .badRule(text, reason: "is empty") }
        return rule
    }
}
