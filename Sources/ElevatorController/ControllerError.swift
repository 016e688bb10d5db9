/// What can stop the controller, phrased for the person running it.
public enum ControllerError: Error, CustomStringConvertible, Sendable {
    /// A flag's value is unusable.
    case invalidOption(String)
    /// A write the reconcile needs failed; the request is retried with back-off.
    case writeFailed(String)

    public var description: String {
        switch self {
        case .invalidOption(let message): message
        case .writeFailed(let message): message
        }
    }
}
