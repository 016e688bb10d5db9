import Foundation
import Logging
import YAML

/// Publishes `events.k8s.io/v1` Events about objects, folding repeats into a series.
///
/// Guarantees (kube-rs `Recorder`):
/// - An event identical in (type, reason, action, reporting controller and instance, regarding,
///   related) to one published within `seriesWindow` is not created again: the existing Event's
///   `series` is patched (count and lastObservedTime) instead.
/// - Events land in the namespace of the object they are about; cluster-scoped objects' events
///   go to `default`. Names are `<object name>.<hex nanoseconds>` as client-go makes them.
/// - `eventTime` and series times are MicroTime with six fractional digits; reason, action and
///   the reporting fields are cut to 128 characters and the note to 1 kB, so the API server
///   never rejects an Event for length.
///
/// Caveat: Events are best-effort; publishing errors are thrown for logging, never for control flow.
public actor EventRecorder {
    /// `Normal` or `Warning`.
    public enum EventType: String, Sendable {
        case normal = "Normal"
        case warning = "Warning"
    }

    private struct Key: Hashable {
        var type: String
        var reason: String
        var action: String
        var regarding: ObjectReference
        var related: ObjectReference?
    }

    private struct Published {
        var name: String
        var namespace: String
        var count: Int32
        var last: Date
    }

    private let client: KubeClient
    public let reportingController: String
    public let reportingInstance: String
    /// How long a published Event can absorb repeats (client-go's series window is 6 minutes).
    public let seriesWindow: TimeInterval
    private let now: @Sendable () -> Date
    private var published: [Key: Published] = [:]

    /// A recorder publishing as `reportingController` (e.g. `elevator.example.com/controller`)
    /// from `reportingInstance` (e.g. the pod name).
    public init(
        client: KubeClient, reportingController: String, reportingInstance: String, seriesWindow: TimeInterval = 360,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.client = client
        self.reportingController = String(reportingController.prefix(128))
        self.reportingInstance = String(reportingInstance.prefix(128))
        self.seriesWindow = seriesWindow
        self.now = now
    }

    /// Publishes an event about `regarding`; returns the Event as stored.
    @discardableResult
    public func publish(
        regarding: ObjectReference, type: EventType, reason: String, action: String, note: String? = nil,
        related: ObjectReference? = nil
    ) async throws -> Event {
        let time = now()
        let key = Key(
            type: type.rawValue, reason: String(reason.prefix(128)), action: String(action.prefix(128)),
            regarding: regarding, related: related)
        for (stale, entry) in published where time.timeIntervalSince(entry.last) > seriesWindow {
            published.removeValue(forKey: stale)
        }
        if var entry = published[key] {
            entry.count += 1
            entry.last = time
            published[key] = entry
            let series: JSONValue = .object([
                "series": .object([
                    "count": .int(Int64(entry.count)), "lastObservedTime": .string(MicroTime(time).description),
                ])
            ])
            return try await client.patch(
                Event.self, Event.resourceType, name: entry.name, namespace: entry.namespace, .merge,
                try JSONEncoder().encode(series))
        }
        let namespace = regarding.namespace.flatMap { $0.isEmpty ? nil : $0 } ?? "default"
        let nanos = UInt64(max(0, time.timeIntervalSince1970 * 1_000_000_000))
        let name = "\(regarding.name ?? "event").\(String(nanos, radix: 16))"
        let event = Event(
            metadata: ObjectMeta(name: name, namespace: namespace), eventTime: MicroTime(time),
            reportingController: reportingController, reportingInstance: reportingInstance, action: key.action,
            reason: key.reason, regarding: regarding, related: related, note: note.map(Self.limitNote),
            type: type.rawValue)
        let created = try await client.create(event, namespace: namespace)
        published[key] = Published(name: name, namespace: namespace, count: 1, last: time)
        return created
    }

    /// Publishes an Event that must exist exactly once however often it is published: its name
    /// is `<object name>.<key>`, so a second publish (a retry, another process after a crash) is
    /// refused by the API server as `AlreadyExists` and leaves the first one as it is.
    ///
    /// - Parameter key: what makes this Event unique for `regarding` (lowercase letters, digits,
    ///   `-`; a hex digest, say), at most 63 characters.
    /// - Returns: true when this call created the Event, false when it already existed.
    ///
    /// Caveat: the stored Event keeps the first publish's note (events.k8s.io/v1 notes are
    /// immutable), and such Events are never folded into a series.
    ///
    /// Nonisolated: it reads none of the recorder's series state, so a grant's Event does not
    /// queue behind other callers' publishes on the actor.
    @discardableResult
    nonisolated public func publishOnce(
        regarding: ObjectReference, type: EventType, reason: String, action: String, note: String? = nil, key: String
    ) async throws -> Bool {
        let namespace = regarding.namespace.flatMap { $0.isEmpty ? nil : $0 } ?? "default"
        let suffix = String(key.prefix(63))
        // A name is at most 253 characters and must end in a letter or digit before the dot.
        var base = String((regarding.name ?? "event").prefix(252 - suffix.count))
        while let last = base.last, last == "." || last == "-" { base.removeLast() }
        let time = now()
        let event = Event(
            metadata: ObjectMeta(name: "\(base).\(suffix)", namespace: namespace), eventTime: MicroTime(time),
            reportingController: reportingController, reportingInstance: reportingInstance,
            action: String(action.prefix(128)), reason: String(reason.prefix(128)), regarding: regarding, related: nil,
            note: note.map(Self.limitNote), type: type.rawValue)
        do {
            _ = try await client.create(event, namespace: namespace, returning: ObjectVersion.self)
            return true
        } catch KubeError.alreadyExists {
            return false
        }
    }

    /// The note cut to 1 kB on a character boundary.
    static func limitNote(_ note: String) -> String {
        guard note.utf8.count > 1024 else { return note }
        var result = ""
        for character in note {
            if result.utf8.count + String(character).utf8.count > 1024 { break }
            result.append(character)
        }
        return result
    }
}
