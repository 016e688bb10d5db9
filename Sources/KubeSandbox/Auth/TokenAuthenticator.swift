import Foundation

/// Who is calling: the identity SelfSubjectReview reports.
public struct UserInfo: Sendable, Equatable {
    /// User name.
    public var username: String
    /// User id.
    public var uid: String
    /// Groups, without the implicit `system:authenticated`.
    public var groups: [String]

    /// Creates an identity.
    public init(username: String, uid: String = "", groups: [String] = []) {
        self.username = username
        self.uid = uid
        self.groups = groups
    }
}

/// Bearer tokens, read from kube-apiserver's static token file format: one CSV line per token,
/// `token,user,uid,"group1,group2"` (groups optional).
public struct TokenAuthenticator: Sendable {
    /// The tokens in file order (the first one is the kubeconfig's user).
    public private(set) var entries: [(token: String, user: UserInfo)]

    /// A table with one generated admin token in group `system:masters`.
    public static func generatedAdmin() -> TokenAuthenticator {
        let token = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        return TokenAuthenticator(entries: [(token, UserInfo(username: "sandbox-admin", uid: "sandbox-admin",
                                                             groups: ["system:masters"]))])
    }

    /// Creates a table from entries.
    public init(entries: [(token: String, user: UserInfo)]) { self.entries = entries }

    /// Parses the CSV text of a token file; names the line of the first malformed entry.
    public init(csv: String, source: String) throws(SandboxConfigError) {
        var entries: [(token: String, user: UserInfo)] = []
        for (number, rawLine) in csv.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let fields = Self.splitCSV(line)
            guard fields.count >= 3, !fields[0].isEmpty, !fields[1].isEmpty else {
                throw .tokenFile("\(source):\(number + 1): a token line needs token,user,uid[,\"group1,group2\"]")
            }
            let groups = fields.count > 3 ? fields[3].split(separator: ",").map(String.init) : []
            entries.append((fields[0], UserInfo(username: fields[1], uid: fields[2], groups: groups)))
        }
        guard !entries.isEmpty else { throw .tokenFile("\(source) holds no token; add a line token,user,uid") }
        self.entries = entries
    }

    /// The identity of an `Authorization` header value, or nil when it names no known token.
    public func authenticate(authorization: String?) -> UserInfo? {
        guard let authorization, authorization.hasPrefix("Bearer ") else { return nil }
        let token = authorization.dropFirst("Bearer ".count).trimmingASCIIBlanks
        return entries.first { $0.token == token }?.user
    }

    private static func splitCSV(_ line: String) -> [String] {
        var fields: [String] = []
        var current = ""
        var quoted = false
        for character in line {
            switch character {
            case "\"": quoted.toggle()
            case "," where !quoted: fields.append(current); current = ""
            default: current.append(character)
            }
        }
        fields.append(current)
        return fields.map { $0.trimmingCharacters(in: .whitespaces) }
    }
}

/// Errors in how the sandbox is started, phrased for the person starting it.
public enum SandboxConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The token file is unreadable or malformed.
    case tokenFile(String)
    /// A `--crds` file could not be installed.
    case crds(String)
    /// The kubeconfig could not be written.
    case kubeconfig(String)
    /// The TLS files could not be used.
    case tls(String)
    /// The server could not listen.
    case listen(String)

    /// The one-sentence explanation.
    public var description: String {
        switch self {
        case .tokenFile(let message), .crds(let message), .kubeconfig(let message), .tls(let message),
            .listen(let message):
            message
        }
    }
}
