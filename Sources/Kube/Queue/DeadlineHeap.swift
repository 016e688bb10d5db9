/// Keys waiting for a deadline, earliest first: the data structure behind `WorkQueue.add(_:after:)`.
///
/// A binary min-heap with lazy deletion: rescheduling a key to an earlier deadline pushes a new
/// entry and leaves the old one to be skipped when it surfaces, so every operation is O(log n)
/// and thousands of timers cost one heap, not thousands of sleeping tasks.
/// Guarantee: a key scheduled twice keeps the *earlier* deadline (kube-rs `scheduler.rs`).
public struct DeadlineHeap<Key: Hashable & Sendable, Instant: InstantProtocol>: Sendable {
    private struct Entry: Sendable {
        var deadline: Instant
        var sequence: UInt64
        var key: Key

        func precedes(_ other: Entry) -> Bool {
            deadline < other.deadline || (deadline == other.deadline && sequence < other.sequence)
        }
    }

    private var heap: [Entry] = []
    private var deadlines: [Key: Instant] = [:]
    private var sequence: UInt64 = 0

    /// An empty heap.
    public init() {}

    /// The number of keys waiting.
    public var count: Int { deadlines.count }

    /// The deadline of `key`, if it is waiting.
    public func deadline(of key: Key) -> Instant? { deadlines[key] }

    /// The earliest deadline of any waiting key.
    public mutating func nextDeadline() -> Instant? {
        dropStaleTop()
        return heap.first?.deadline
    }

    /// Schedules `key` at `deadline` unless it already waits for an earlier (or the same) one.
    /// Returns true if the key's deadline changed.
    @discardableResult
    public mutating func schedule(_ key: Key, at deadline: Instant) -> Bool {
        if let existing = deadlines[key], existing <= deadline { return false }
        deadlines[key] = deadline
        sequence &+= 1
        push(Entry(deadline: deadline, sequence: sequence, key: key))
        return true
    }

    /// Removes `key`; true if it was waiting.
    @discardableResult
    public mutating func cancel(_ key: Key) -> Bool {
        deadlines.removeValue(forKey: key) != nil
    }

    /// Removes and returns every key whose deadline is at or before `now`, earliest first.
    public mutating func popDue(at now: Instant) -> [Key] {
        var due: [Key] = []
        while let top = heap.first, top.deadline <= now {
            popTop()
            if deadlines[top.key] == top.deadline {
                deadlines.removeValue(forKey: top.key)
                due.append(top.key)
            }
        }
        return due
    }

    private mutating func dropStaleTop() {
        while let top = heap.first, deadlines[top.key] != top.deadline { popTop() }
    }

    private mutating func push(_ entry: Entry) {
        heap.append(entry)
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].precedes(heap[parent]) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func popTop() {
        let last = heap.removeLast()
        guard !heap.isEmpty else { return }
        heap[0] = last
        var parent = 0
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < heap.count, heap[left].precedes(heap[smallest]) { smallest = left }
            if right < heap.count, heap[right].precedes(heap[smallest]) { smallest = right }
            if smallest == parent { return }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
    }
}
