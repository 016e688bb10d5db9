/// A position in a YAML source: the file name and the 1-based line and column of a node.
///
/// Columns count characters (Unicode scalars), not bytes, as libyaml does, and saturate at
/// 16,777,215 (far past `YAMLOptions.maxLineBytes`'s default). `description` renders
/// the position the way compilers and kubectl do: `file:line:column`.
public struct YAMLMark: Hashable, Sendable, CustomStringConvertible {
    /// The name the caller gave the source (a path, or something like `<stdin>`).
    public var file: String
    /// The 1-based line.
    public var line: Int
    /// The 1-based column, in characters.
    public var column: Int

    /// Creates a position.
    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// `file:line:column`.
    public var description: String { "\(file):\(line):\(column)" }
}
