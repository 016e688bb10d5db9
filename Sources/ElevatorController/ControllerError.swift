/// What can stop the controller from starting, phrased for the person running it.
public enum ControllerError: Error, CustomStringConvertible, Sendable {
    /// A flag's value is unusable; the message names the flag, the value and the fix.
    case invalidOption(String)
    /// A mesh object is of a kind no backend writes (a bug guard: backends render only their kinds).
    case unknownMeshKind(apiVersion: String, kind: String)

    public var description: String {
        switch self {
        case .invalidOption(let message): message
        case .unknownMeshKind(let apiVersion, let kind):
            "No mesh backend writes \(kind) of \(apiVersion); this is a bug in Elevator, please report it."
        }
    }
}
