/// `metav1.Condition`: one entry of `status.conditions`, keyed by `type`.
public struct Condition: Codable, Hashable, Sendable {
    /// `True`, `False` or `Unknown`.
    public enum State: String, Codable, Hashable, Sendable {
        case `true` = "True"
        case `false` = "False"
        case unknown = "Unknown"
    }

    public var type: String
    public var status: State
    /// The `.metadata.generation` the condition was computed from.
    public var observedGeneration: Int64?
    /// When `status` last changed; it does not move when only reason or message change.
    public var lastTransitionTime: Time
    /// CamelCase, machine-readable.
    public var reason: String
    public var message: String

    /// A condition with the given fields.
    public init(
        type: String, status: State, observedGeneration: Int64? = nil, lastTransitionTime: Time,
        reason: String, message: String = ""
    ) {
        self.type = type
        self.status = status
        self.observedGeneration = observedGeneration
        self.lastTransitionTime = lastTransitionTime
        self.reason = reason
        self.message = message
    }
}

extension Array where Element == Condition {
    /// Sets `condition` with apimachinery's `SetStatusCondition` semantics and tells whether
    /// anything changed, so callers can skip a no-op status write (which would re-trigger them).
    ///
    /// - A new type is appended as given (`lastTransitionTime` defaults to `now` if the caller
    ///   passes the epoch, mirroring the zero-time rule).
    /// - For an existing type, `lastTransitionTime` moves to the new one only when `status`
    ///   changes; reason, message and observedGeneration are updated in place.
    @discardableResult
    public mutating func setStatusCondition(_ condition: Condition, now: Time) -> Bool {
        guard let index = firstIndex(where: { $0.type == condition.type }) else {
            var added = condition
            if added.lastTransitionTime.secondsSinceEpoch == 0 { added.lastTransitionTime = now }
            append(added)
            return true
        }
        var existing = self[index]
        var changed = false
        if existing.status != condition.status {
            existing.status = condition.status
            existing.lastTransitionTime =
                condition.lastTransitionTime.secondsSinceEpoch == 0 ? now : condition.lastTransitionTime
            changed = true
        }
        if existing.reason != condition.reason {
            existing.reason = condition.reason
            changed = true
        }
        if existing.message != condition.message {
            existing.message = condition.message
            changed = true
        }
        if existing.observedGeneration != condition.observedGeneration {
            existing.observedGeneration = condition.observedGeneration
            changed = true
        }
        self[index] = existing
        return changed
    }

    /// Removes the condition of `type`; true if there was one.
    @discardableResult
    public mutating func removeStatusCondition(type: String) -> Bool {
        guard let index = firstIndex(where: { $0.type == type }) else { return false }
        remove(at: index)
        return true
    }

    /// The condition of `type`, if present.
    public func condition(ofType type: String) -> Condition? { first { $0.type == type } }

    /// True when the condition of `type` is present with status `True`.
    public func isTrue(_ type: String) -> Bool { condition(ofType: type)?.status == .true }
}
