/// One event of a watch stream.
///
/// Bookmarks carry only a resourceVersion (and annotations such as `k8s.io/initial-events-end`),
/// never a full object, so they are not decoded as the watched type. ERROR events carry a `Status`.
public enum WatchEvent<Object: Sendable>: Sendable {
    case added(Object)
    case modified(Object)
    case deleted(Object)
    /// A progress marker: the watch has seen everything up to `resourceVersion`.
    case bookmark(resourceVersion: String, annotations: [String: String])
    /// The server ended the watch with this Status; code 410 means the resourceVersion expired.
    case error(Status)
}

extension WatchEvent {
    /// The object of an ADDED, MODIFIED or DELETED event.
    public var object: Object? {
        switch self {
        case .added(let object), .modified(let object), .deleted(let object): object
        case .bookmark, .error: nil
        }
    }

    /// Whether this bookmark marks the end of the initial events of a streaming list (KEP-3157).
    public var isInitialEventsEnd: Bool {
        guard case .bookmark(_, let annotations) = self else { return false }
        return annotations["k8s.io/initial-events-end"] == "true"
    }
}
