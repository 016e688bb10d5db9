/// Everything that can go wrong while reading, converting, decoding or writing YAML.
///
/// Every case that comes from a source carries the `YAMLMark` of the offending node, and
/// `description` reads `file:line:column: message` (with the field path before the message for
/// decoding errors), so the text can be shown to a user as is. Messages never include scalar
/// values from the document, which may be secrets.
public enum YAMLError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The text is not well-formed YAML (reported by libyaml), including tabs used for indentation
    /// and unterminated quotes.
    case syntax(YAMLMark, message: String)
    /// An alias (`*name`) refers to an anchor that this document does not define earlier.
    case undefinedAlias(YAMLMark, name: String)
    /// The same key appears twice in one mapping (after keys are converted to JSON strings).
    case duplicateKey(YAMLMark, key: String)
    /// The document exceeds a safety bound of `YAMLOptions` (nesting depth, line length, alias
    /// expansion); the message names the bound and how to raise it.
    case limitExceeded(YAMLMark, message: String)
    /// The document is well-formed YAML but cannot become JSON as Kubernetes reads it: a null or
    /// collection used as a key, `.inf`/`.nan`, a tag that does not fit its scalar, bad `!!binary`.
    case invalidValue(YAMLMark, message: String)
    /// A value does not fit the Swift type it is decoded into. `path` is the field path in
    /// Kubernetes notation (`spec.rules[0].ports[1]`), empty for the document itself.
    case decoding(YAMLMark?, path: String, message: String)
    /// A Swift value could not be turned into YAML or JSON (for example a `Double.nan`).
    case encoding(path: String, message: String)

    /// The position of the offending node, if the error comes from a source.
    public var mark: YAMLMark? {
        switch self {
        case .syntax(let mark, _), .undefinedAlias(let mark, _), .duplicateKey(let mark, _),
            .limitExceeded(let mark, _), .invalidValue(let mark, _):
            return mark
        case .decoding(let mark, _, _):
            return mark
        case .encoding:
            return nil
        }
    }

    /// The message without position or path.
    public var message: String {
        switch self {
        case .syntax(_, let message), .limitExceeded(_, let message), .invalidValue(_, let message):
            return message
        case .undefinedAlias(_, let name):
            return "alias *\(name) refers to an anchor &\(name) that is not defined earlier in this document"
        case .duplicateKey(_, let key):
            return "duplicate key \"\(key)\" in this mapping; remove one of them"
        case .decoding(_, _, let message), .encoding(_, let message):
            return message
        }
    }

    /// `file:line:column: message`, or `file:line:column: path: message` for decoding errors.
    public var description: String {
        var text = ""
        if let mark { text += "\(mark): " }
        switch self {
        case .decoding(_, let path, _), .encoding(let path, _):
            if !path.isEmpty { text += "\(path): " }
        default:
            break
        }
        return text + message
    }
}
