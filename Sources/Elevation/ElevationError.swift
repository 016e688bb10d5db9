/// What went wrong in the elevation domain, in the user's terms.
///
/// Each case's `description` is one sentence naming the thing and the fix.
public enum ElevationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A Go-style duration such as `15m` could not be read.
    case invalidDuration(text: String, problem: String)
    /// A grant cannot be rendered for the mesh (a bug guard: validation should have stopped it).
    case unrenderable(request: String, problem: String)

    public var description: String {
        switch self {
        case .invalidDuration(let text, let problem):
            return "\"\(text)\" is not a duration: \(problem); write it like 90s, 15m or 1h30m."
        case .unrenderable(let request, let problem):
            return "The grant of request \(request) cannot be written for the mesh: \(problem)."
        }
    }
}
