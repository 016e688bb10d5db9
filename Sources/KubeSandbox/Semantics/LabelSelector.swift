import YAML

/// A parsed label selector in the string syntax of `?labelSelector=`: `a=b`, `a==b`, `a!=b`,
/// `a in (x,y)`, `a notin (x)`, `a` (exists) and `!a` (does not exist), joined by commas.
/// Requirements are ANDed, as in apimachinery's `labels.Parse`.
public struct LabelSelector: Sendable, Equatable {
    enum Requirement: Sendable, Equatable {
        case equals(String, String)
        case notEquals(String, String)
        case isIn(String, Set<String>)
        case notIn(String, Set<String>)
        case exists(String)
        case doesNotExist(String)
    }

    var requirements: [Requirement]

    /// The selector that matches everything.
    public static let everything = LabelSelector(requirements: [])

    /// Parses the selector; throws `badRequest` with apimachinery's wording for bad syntax.
    public init(parsing text: String) throws(SandboxError) {
        var requirements: [Requirement] = []
        for part in Self.splitTopLevel(text) {
            let term = part.trimmingSpaces
            if term.isEmpty { continue }
            requirements.append(try Self.parseTerm(term, in: text))
        }
        self.requirements = requirements
    }

    init(requirements: [Requirement]) { self.requirements = requirements }

    /// Whether `labels` satisfy every requirement.
    public func matches(_ labels: [String: JSONValue]) -> Bool {
        for requirement in requirements {
            switch requirement {
            case .equals(let key, let value): if labels[key]?.stringValue != value { return false }
            case .notEquals(let key, let value): if labels[key]?.stringValue == value { return false }
            case .isIn(let key, let values):
                guard let value = labels[key]?.stringValue, values.contains(value) else { return false }
            case .notIn(let key, let values):
                if let value = labels[key]?.stringValue, values.contains(value) { return false }
            case .exists(let key): if labels[key] == nil { return false }
            case .doesNotExist(let key): if labels[key] != nil { return false }
            }
        }
        return true
    }

    /// Splits on commas that are not inside parentheses.
    private static func splitTopLevel(_ text: String) -> [String] {
        var parts: [String] = []
        var current = ""
        var depth = 0
        for character in text {
            switch character {
            case "(": depth += 1; current.append(character)
            case ")": depth -= 1; current.append(character)
            case "," where depth == 0: parts.append(current); current = ""
            default: current.append(character)
            }
        }
        parts.append(current)
        return parts
    }

    private static func parseTerm(_ term: String, in text: String) throws(SandboxError) -> Requirement {
        func invalid() -> SandboxError {
            .badRequest("unable to parse requirement: found '\(term)', expected: identifier or operator in selector \"\(text)\"")
        }
        if term.hasPrefix("!") {
            let key = String(term.dropFirst()).trimmingSpaces
            guard Self.isValidKey(key) else { throw invalid() }
            return .doesNotExist(key)
        }
        for op in ["!=", "==", "="] {
            if let range = term.range(of: op) {
                let key = String(term[..<range.lowerBound]).trimmingSpaces
                let value = String(term[range.upperBound...]).trimmingSpaces
                guard Self.isValidKey(key) else { throw invalid() }
                return op == "!=" ? .notEquals(key, value) : .equals(key, value)
            }
        }
        let words = term.split(separator: " ", maxSplits: 1).map(String.init)
        if words.count == 2 {
            let key = words[0]
            let rest = words[1].trimmingSpaces
            for (op, negated) in [("notin", true), ("in", false)] where rest.hasPrefix(op) {
                let list = rest.dropFirst(op.count).trimmingSpaces
                guard list.hasPrefix("("), list.hasSuffix(")"), Self.isValidKey(key) else { throw invalid() }
                let values = Set(list.dropFirst().dropLast().split(separator: ",").map { String($0).trimmingSpaces })
                return negated ? .notIn(key, values) : .isIn(key, values)
            }
            throw invalid()
        }
        guard Self.isValidKey(term) else { throw invalid() }
        return .exists(term)
    }

    private static func isValidKey(_ key: String) -> Bool {
        !key.isEmpty && key.allSatisfy { $0.isLetter || $0.isNumber || "-_./".contains($0) }
    }
}

/// A parsed field selector (`metadata.name=x,metadata.namespace!=y`).
///
/// Custom resources support `metadata.name` and `metadata.namespace` only, as in kube-apiserver
/// without `selectableFields`; built-in types also accept other dotted paths (an approximation of
/// their per-type field labels).
public struct FieldSelector: Sendable, Equatable {
    var requirements: [(path: String, value: String, negated: Bool)]

    /// The selector that matches everything.
    public static let everything = FieldSelector(requirements: [])

    init(requirements: [(path: String, value: String, negated: Bool)]) { self.requirements = requirements }

    /// Parses the selector for objects of `type`.
    public init(parsing text: String, for type: ResourceType) throws(SandboxError) {
        var requirements: [(path: String, value: String, negated: Bool)] = []
        for part in text.split(separator: ",") {
            let term = String(part).trimmingSpaces
            var parsed: (String, String, Bool)?
            for (op, negated) in [("!=", true), ("==", false), ("=", false)] {
                if let range = term.range(of: op) {
                    parsed = (String(term[..<range.lowerBound]), String(term[range.upperBound...]), negated)
                    break
                }
            }
            guard let (path, value, negated) = parsed else {
                throw .badRequest("invalid selector: '\(text)'; can't understand '\(term)'")
            }
            if type.isCustom, path != "metadata.name", path != "metadata.namespace" {
                throw .badRequest("field label not supported: \(path)")
            }
            requirements.append((path, value, negated))
        }
        self.requirements = requirements
    }

    /// Whether the object satisfies every requirement.
    public func matches(_ object: JSONValue) -> Bool {
        for requirement in requirements {
            var node: JSONValue? = object
            for component in requirement.path.split(separator: ".") { node = node?[String(component)] }
            let actual: String
            switch node {
            case .string(let text): actual = text
            case .int(let number): actual = String(number)
            case .bool(let flag): actual = String(flag)
            default: actual = ""
            }
            if (actual == requirement.value) == requirement.negated { return false }
        }
        return true
    }

    public static func == (lhs: FieldSelector, rhs: FieldSelector) -> Bool {
        lhs.requirements.elementsEqual(rhs.requirements) { $0 == $1 }
    }
}

extension StringProtocol {
    var trimmingSpaces: String {
        var slice = Substring(self)
        while slice.first == " " { slice = slice.dropFirst() }
        while slice.last == " " { slice = slice.dropLast() }
        return String(slice)
    }
}
