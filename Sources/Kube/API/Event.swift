/// `events.k8s.io/v1` Event: a best-effort, human-facing record of something a controller did.
///
/// `eventTime` is required and is a MicroTime; `reportingController`, `reportingInstance`,
/// `action` and `reason` are required and at most 128 characters; `note` at most 1 kB.
public struct Event: KubeResource, Hashable, PlainJSONEncodable {
    public static let resourceType = ResourceType(
        group: "events.k8s.io", version: "v1", plural: "events", kind: "Event", namespaced: true)

    public var apiVersion: String? = "events.k8s.io/v1"
    public var kind: String? = "Event"
    public var metadata: ObjectMeta
    public var eventTime: MicroTime
    public var series: Series?
    public var reportingController: String?
    public var reportingInstance: String?
    public var action: String?
    public var reason: String?
    public var regarding: ObjectReference?
    public var related: ObjectReference?
    public var note: String?
    /// `Normal` or `Warning`.
    public var type: String?

    /// `EventSeries`: how often an identical event repeated, patched instead of creating new Events.
    public struct Series: Codable, Hashable, Sendable {
        public var count: Int32
        public var lastObservedTime: MicroTime

        /// A series with the given fields.
        public init(count: Int32, lastObservedTime: MicroTime) {
            self.count = count
            self.lastObservedTime = lastObservedTime
        }
    }

    /// An Event with the given fields.
    public init(
        metadata: ObjectMeta, eventTime: MicroTime, series: Series? = nil, reportingController: String?,
        reportingInstance: String?, action: String?, reason: String?, regarding: ObjectReference?,
        related: ObjectReference? = nil, note: String? = nil, type: String?
    ) {
        self.metadata = metadata
        self.eventTime = eventTime
        self.series = series
        self.reportingController = reportingController
        self.reportingInstance = reportingInstance
        self.action = action
        self.reason = reason
        self.regarding = regarding
        self.related = related
        self.note = note
        self.type = type
    }
}
