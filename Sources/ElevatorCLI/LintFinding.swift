/// One problem `elevator lint` found, at a position in a file.
///
/// `display` is the `file:line:column: field.path: message` line of API.md; the JSON form
/// (`--output json`) has the same fields as keys.
public struct LintFinding: Hashable, Sendable, Codable {
    /// How bad a finding is: errors make lint exit 1; warnings are printed but do not.
    public enum Severity: String, Hashable, Sendable, Codable {
        case error, warning
    }

    /// The file as given on the command line (or found in a folder given there).
    public var file: String
    /// 1-based line.
    public var line: Int
    /// 1-based column.
    public var column: Int
    /// The field path (`spec.rules[0].paths[1]`); empty when the problem is the document itself.
    public var path: String
    /// What is wrong and what to write instead.
    public var message: String
    /// Whether the finding fails lint.
    public var severity: Severity

    /// A finding.
    public init(file: String, line: Int, column: Int, path: String, message: String, severity: Severity = .error) {
        self.file = file
        self.line = line
        self.column = column
        self.path = path
        self.message = message
        self.severity = severity
    }

    /// `file:line:column: field.path: message` (without the path part when it is empty).
    public var display: String {
        let prefix = "\(file):\(line):\(column): "
        let warning = severity == .warning ? "warning: " : ""
        return prefix + (path.isEmpty ? "" : "\(path): ") + warning + message
    }
}
