/// What a user of `elevator lint`, `test` or `render` did that stops the command, in their terms.
///
/// Each `description` is one sentence that names the thing and the fix; the executable prints it
/// as is (no stack trace) and exits 2 (could not read) or 1.
public enum CLIError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A path given on the command line or in a test file does not exist.
    case missingFile(path: String)
    /// A file exists but cannot be read (permissions, a directory where a file was expected, ...).
    case unreadable(path: String, problem: String)
    /// A folder holds no `.yaml`, `.yml` or `.json` file.
    case noManifests(path: String)
    /// A manifest or test file is not valid YAML or does not decode (`detail` is the YAML
    /// module's `file:line:column: ...` text).
    case invalidManifest(detail: String)
    /// A document is not one of the kinds the command accepts.
    case unexpectedKind(file: String, line: Int, column: Int, found: String, expected: String)
    /// The request names a policy that `--policies` does not hold.
    case noSuchPolicy(name: String, namespace: String, searched: String)
    /// The request file holds no ElevationRequest, or more than one.
    case notOneRequest(path: String, count: Int)
    /// `--now` (or a test's `now`) is not an RFC 3339 time.
    case invalidTime(text: String)
    /// A test file is well-formed YAML but not a usable test (`detail` says where and what).
    case invalidTest(detail: String)

    /// One sentence naming the thing and the fix.
    public var description: String {
        switch self {
        case .missingFile(let path):
            return "\(path) does not exist; check the path (it is relative to the current folder, or to the test file)."
        case .unreadable(let path, let problem):
            return "\(path) cannot be read (\(problem)); check its permissions."
        case .noManifests(let path):
            return "\(path) holds no .yaml, .yml or .json file; point at the folder that holds the manifests."
        case .invalidManifest(let detail):
            return "\(detail); fix the manifest and run again."
        case .unexpectedKind(let file, let line, let column, let found, let expected):
            return "\(file):\(line):\(column): kind \(found) is not accepted here; write \(expected)."
        case .noSuchPolicy(let name, let namespace, let searched):
            return "ElevationPolicy \(name) in namespace \(namespace) is not in \(searched); add it there or fix spec.policy of the request."
        case .notOneRequest(let path, let count):
            return "\(path) holds \(count) ElevationRequests; give a file with exactly one."
        case .invalidTime(let text):
            return "\"\(text)\" is not an RFC 3339 time; write it like 2026-01-10T10:00:00Z."
        case .invalidTest(let detail):
            return "\(detail)."
        }
    }

    /// The exit status the executable uses: 2 when input could not be read at all, else 1.
    public var exitCode: Int32 {
        switch self {
        case .missingFile, .unreadable, .noManifests: return 2
        default: return 1
        }
    }
}
