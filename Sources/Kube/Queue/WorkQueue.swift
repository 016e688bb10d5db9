import DequeModule

/// A rate-limited, delaying work queue of keys with three priorities: client-go's `workqueue`
/// semantics as an actor.
///
/// Guarantees:
/// - **Dedup.** A key added while it waits is queued once; adding it again with a higher
///   priority moves it up (never down).
/// - **One worker per key.** A key handed out by `next()` is not handed out again until `done`;
///   if it was added meanwhile, it is queued again on `done`, so no change is lost.
/// - **Priorities.** `urgent` keys are handed out before any other; `normal` before `background`,
///   except that every `backgroundShare`-th hand-out takes a waiting `background` key, so a
///   stream of normal work never starves it. At most `backgroundLimit` background keys are in
///   process at once, so the other workers (and the CPU) stay free for what comes next. Within
///   one priority, first in, first out.
/// - **Earliest deadline wins.** `add(_:after:)` for a key that already waits keeps the earlier
///   deadline (and the higher priority). Delays run on one heap and one sleeping task, whatever
///   their number.
/// - **Rate-limited retries.** `addRateLimited` waits 5 ms × 2ⁿ (up to 1000 s) per key, and at
///   most 10 retries/s overall after a burst of 100; `forget` resets a key after success.
///
/// Caveats: after `shutDown`, `next()` still hands out what is already queued (background keys
/// only within `backgroundLimit`) and then returns nil; delayed keys are dropped.
public actor WorkQueue<Key: Hashable & Sendable, C: Clock>: Sendable where C.Duration == Duration {
    /// How soon a key is handed out relative to others.
    public enum Priority: Int, Comparable, Sendable, CaseIterable {
        /// Work that only confirms a settled state (a resync); runs when nothing else waits, and
        /// at least every `backgroundShare`-th time.
        case background
        /// A change someone made.
        case normal
        /// A deadline that has come (an expiry): ahead of everything else.
        case urgent

        public static func < (lhs: Priority, rhs: Priority) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    private let clock: C
    /// One lane per priority. A lane may hold stale entries (a key moved up, or handed out from a
    /// newer entry); `popReady` skips them, so moving a key up costs O(1).
    private var lanes: [Deque<Key>] = Array(repeating: Deque<Key>(), count: Priority.allCases.count)
    /// Keys waiting (or re-added while processing) and the priority they wait with.
    private var dirty: [Key: Priority] = [:]
    private var processing = Set<Key>()
    private var waiters = Deque<(id: UInt64, continuation: CheckedContinuation<Key?, Never>)>()
    private var nextWaiterID: UInt64 = 0
    private var delayed = DeadlineHeap<Key, C.Instant>()
    private var delayedPriority: [Key: Priority] = [:]
    private var limiter: RateLimiter<Key, C.Instant>
    private var timer: Task<Void, Never>?
    private var timerDeadline: C.Instant?
    private var timerGeneration: UInt64 = 0
    private var shuttingDown = false
    private let backgroundShare: Int
    private var sinceBackground = 0
    private let backgroundLimit: Int
    private var backgroundInProcess = Set<Key>()

    /// A queue timed by `clock` with the given retry rate limiter; `backgroundShare` is how many
    /// hand-outs may pass a waiting background key before one is taken (at least 2), and
    /// `backgroundLimit` how many background keys may be in process at once (at least 1).
    public init(
        clock: C, rateLimiter: RateLimiter<Key, C.Instant> = RateLimiter(), backgroundShare: Int = 8, backgroundLimit: Int = 2
    ) {
        self.clock = clock
        self.limiter = rateLimiter
        self.backgroundShare = max(2, backgroundShare)
        self.backgroundLimit = max(1, backgroundLimit)
    }

    /// Keys ready to be handed out (not counting delayed or in-process keys).
    public var count: Int { dirty.count - processing.reduce(0) { $0 + (dirty[$1] == nil ? 0 : 1) } }

    /// Keys ready to be handed out with `priority`.
    public func count(_ priority: Priority) -> Int {
        dirty.reduce(0) { $0 + ($1.value == priority && !processing.contains($1.key) ? 1 : 0) }
    }

    /// Keys waiting for a deadline.
    public var delayedCount: Int { delayed.count }

    /// True once `shutDown` was called.
    public var isShuttingDown: Bool { shuttingDown }

    /// Queues `key` now with `priority` (a no-op if it already waits with that priority or a
    /// higher one).
    public func add(_ key: Key, priority: Priority = .normal) {
        guard !shuttingDown else { return }
        if enqueue(key, priority: priority) { wakeWaiter() }
    }

    /// Queues `key` with `priority` after `delay`; if it already waits for an earlier deadline,
    /// that one stands with its own priority (for the same deadline, the higher priority).
    public func add(_ key: Key, after delay: Duration, priority: Priority = .normal) {
        guard !shuttingDown else { return }
        guard delay > .zero else { return add(key, priority: priority) }
        if schedule(key, at: clock.now.advanced(by: delay), priority: priority) { armTimer() }
    }

    /// Files `key` as waiting with `priority`; true when it went into a lane (a worker may take it).
    private func enqueue(_ key: Key, priority: Priority) -> Bool {
        if let waiting = dirty[key], waiting >= priority { return false }
        dirty[key] = priority
        if processing.contains(key) { return false }
        lanes[priority.rawValue].append(key)
        return true
    }

    /// Files `key` for `deadline` (see `add(_:after:priority:)`); true when the earliest deadline
    /// may have moved, so the timer must be looked at.
    private func schedule(_ key: Key, at deadline: C.Instant, priority: Priority) -> Bool {
        if let existing = delayed.deadline(of: key), existing <= deadline {
            if existing == deadline, priority > (delayedPriority[key] ?? .normal) { delayedPriority[key] = priority }
            return false
        }
        delayedPriority[key] = priority == .normal ? nil : priority
        return delayed.schedule(key, at: deadline)
    }

    /// One key for `add(_:)`: queued now with `priority`, and again after `later.delay` with
    /// `later.priority` when that is given.
    public struct Addition: Sendable {
        public var key: Key
        public var priority: Priority
        public var later: (delay: Duration, priority: Priority)?

        /// `key` now with `priority`; also after `delay` (when given) with `laterPriority`.
        public init(_ key: Key, priority: Priority = .normal, andAfter delay: Duration? = nil, priority laterPriority: Priority = .normal) {
            self.key = key
            self.priority = priority
            later = delay.map { ($0, laterPriority) }
        }
    }

    /// Queues every addition, in order, in one call: an informer's list at a start hands over
    /// 10,000 keys crossing into the queue once, not once per key.
    ///
    /// The clock is read once for the whole call, and waiting workers are woken and the timer
    /// aimed once at the end, not once per key (a start's additions then take about 30% fewer
    /// instructions; BENCHMARKS.md, "Controller", fifteenth round).
    public func add(_ additions: [Addition]) {
        guard !shuttingDown else { return }
        let now = clock.now
        var queued = false
        var rescheduled = false
        for addition in additions {
            if enqueue(addition.key, priority: addition.priority) { queued = true }
            guard let later = addition.later else { continue }
            if later.delay > .zero {
                if schedule(addition.key, at: now.advanced(by: later.delay), priority: later.priority) { rescheduled = true }
            } else if enqueue(addition.key, priority: later.priority) {
                queued = true
            }
        }
        if queued { wakeWaiter() }
        if rescheduled { armTimer() }
    }

    /// Queues `key` after its rate-limited retry delay.
    public func addRateLimited(_ key: Key) {
        add(key, after: limiter.when(key, now: clock.now))
    }

    /// Consecutive rate-limited retries of `key` since it was last forgotten.
    public func retries(_ key: Key) -> Int { limiter.retries(key) }

    /// Clears `key`'s retry history, after a successful reconcile.
    public func forget(_ key: Key) { limiter.forget(key) }

    /// The next key to work on, marking it as processing; waits while the queue is empty.
    /// Returns nil once the queue is shut down and drained, or if the calling task is cancelled.
    public func next() async -> Key? {
        if let key = popReady() { return key }
        if shuttingDown || Task.isCancelled { return nil }
        nextWaiterID &+= 1
        let id = nextWaiterID
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                waiters.append((id, continuation))
            }
        } onCancel: {
            Task { await self.cancelWaiter(id) }
        }
    }

    /// Marks `key` as finished; if it was added while processing, it is queued again.
    public func done(_ key: Key) {
        guard processing.remove(key) != nil else { return }
        let wasBackground = backgroundInProcess.remove(key) != nil
        if let priority = dirty[key] {
            lanes[priority.rawValue].append(key)
            wakeWaiter()
        } else if wasBackground {
            wakeWaiter()
        }
    }

    /// Stops accepting keys and releases idle workers once the queue is drained.
    public func shutDown() {
        shuttingDown = true
        timer?.cancel()
        timer = nil
        timerDeadline = nil
        // Waiting workers get what they may take now; the others are released (a background key
        // held back by `backgroundLimit` is a resync, not worth holding a shutdown for).
        wakeWaiter()
        while let waiter = waiters.popFirst() { waiter.continuation.resume(returning: nil) }
    }

    /// The first live key of the highest non-empty lane (background every `backgroundShare`-th
    /// time when it has one, and only while fewer than `backgroundLimit` are in process); drops
    /// stale entries on the way.
    private func popReady() -> Key? {
        var order: [Priority] = [.urgent, .normal, .background]
        if sinceBackground + 1 >= backgroundShare { order = [.urgent, .background, .normal] }
        for priority in order {
            if priority == .background, backgroundInProcess.count >= backgroundLimit { continue }
            while let key = lanes[priority.rawValue].popFirst() {
                guard dirty[key] == priority, !processing.contains(key) else { continue }
                dirty[key] = nil
                processing.insert(key)
                if priority == .background { backgroundInProcess.insert(key) }
                sinceBackground = priority == .background ? 0 : sinceBackground + 1
                return key
            }
        }
        return nil
    }

    private func wakeWaiter() {
        while !waiters.isEmpty, let key = popReady() {
            waiters.removeFirst().continuation.resume(returning: key)
        }
    }

    private func cancelWaiter(_ id: UInt64) {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return }
        waiters.remove(at: index).continuation.resume(returning: nil)
    }

    /// Keeps exactly one sleeping task, aimed at the earliest deadline.
    private func armTimer() {
        guard !shuttingDown, let deadline = delayed.nextDeadline() else { return }
        if timer != nil, let armed = timerDeadline, armed <= deadline { return }
        timer?.cancel()
        timerGeneration &+= 1
        let generation = timerGeneration
        timerDeadline = deadline
        let clock = self.clock
        timer = Task {
            try? await clock.sleep(until: deadline, tolerance: nil)
            self.timerFired(generation)
        }
    }

    private func timerFired(_ generation: UInt64) {
        // A superseded timer (a new earlier deadline arrived) must not release anything.
        guard generation == timerGeneration else { return }
        timer = nil
        timerDeadline = nil
        for key in delayed.popDue(at: clock.now) {
            add(key, priority: delayedPriority.removeValue(forKey: key) ?? .normal)
        }
        armTimer()
    }
}
