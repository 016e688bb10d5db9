import Foundation

/// `metav1.Condition`: one observation about an object (`Ready`, `Valid`, `Approved`, ...).
///
/// `lastTransitionTime` is the time `status` last changed; `reason` is CamelCase, `message` a
/// sentence for people. Lists of conditions hold one entry per `type` (see `[Condition].set`).
public struct Condition: Hashable, Sendable, Codable {
    /// `True`, `False` or `Unknown`.
    public enum Status: String, Hashable, Sendable, Codable {
        case `true` = "True"
        case `false` = "False"
        case unknown = "Unknown"
    }

    public var type: String
    public var status: Status
    public var reason: String
    public var message: String
    public var observedGeneration: Int64?
    public var lastTransitionTime: Date

    /// A condition; `lastTransitionTime` is managed by `[Condition].set`.
    public init(
        type: String, status: Status, reason: String, message: String,
        observedGeneration: Int64? = nil, lastTransitionTime: Date
    ) {
        self.type = type
        self.status = status
        self.reason = reason
        self.message = message
        self.observedGeneration = observedGeneration
        self.lastTransitionTime = lastTransitionTime
    }

    private enum CodingKeys: String, CodingKey {
        case type, status, reason, message, observedGeneration, lastTransitionTime
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        type = try container.decode(String.self, forKey: .type)
        status = try container.decode(Status.self, forKey: .status)
        reason = try container.decodeIfPresent(String.self, forKey: .reason) ?? ""
        message = try container.decodeIfPresent(String.self, forKey: .message) ?? ""
        observedGeneration = try container.decodeIfPresent(Int64.self, forKey: .observedGeneration)
        lastTransitionTime = try container.decodeTimestamp(forKey: .lastTransitionTime) ?? Date(timeIntervalSince1970: 0)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(type, forKey: .type)
        try container.encode(status, forKey: .status)
        try container.encode(reason, forKey: .reason)
        try container.encode(message, forKey: .message)
        try container.encodeIfPresent(observedGeneration, forKey: .observedGeneration)
        try container.encodeTimestamp(lastTransitionTime, forKey: .lastTransitionTime)
    }
}

extension Array where Element == Condition {
    /// The condition of `type`, if present.
    public subscript(type type: String) -> Condition? {
        first { $0.type == type }
    }

    /// Sets the condition of `type` as apimachinery's `meta.SetStatusCondition` does: reason,
    /// message and observedGeneration are updated in place, `lastTransitionTime` moves to `now`
    /// only when `status` changes. Returns whether anything changed, so callers skip no-op writes.
    @discardableResult
    public mutating func set(
        _ type: String, _ status: Condition.Status, reason: String, message: String,
        observedGeneration: Int64?, now: Date
    ) -> Bool {
        if let index = firstIndex(where: { $0.type == type }) {
            var condition = self[index]
            if condition.status != status {
                condition.status = status
                condition.lastTransitionTime = now
            }
            condition.reason = reason
            condition.message = message
            condition.observedGeneration = observedGeneration
            let changed = condition != self[index]
            self[index] = condition
            return changed
        }
        append(
            Condition(
                type: type, status: status, reason: reason, message: message,
                observedGeneration: observedGeneration, lastTransitionTime: now))
        return true
    }
}
