/// What can stop the controller from starting, phrased for the person running it.
public enum ControllerError: Error, CustomStringConvertible, Sendable {
    /// A flag's value is unusable; the message names the flag, the value and the fix.
    case invalidOption(String)

    public var description: String {
        switch self {
        case .invalidOption(let message): message
        }
    }
}
