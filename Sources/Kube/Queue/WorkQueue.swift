import DequeModule

/// A rate-limited, delaying work queue of keys: client-go's `workqueue` semantics as an actor.
///
/// Guarantees:
/// - **Dedup.** A key added while it waits is queued once.
/// - **One worker per key.** A key handed out by `next()` is not handed out again until `done`;
///   if it was added meanwhile, it is queued again on `done`, so no change is lost.
/// - **Earliest deadline wins.** `add(_:after:)` for a key that already waits keeps the earlier
///   deadline. Delays run on one heap and one sleeping task, whatever their number.
/// - **Rate-limited retries.** `addRateLimited` waits 5 ms × 2ⁿ (up to 1000 s) per key, and at
///   most 10 retries/s overall after a burst of 100; `forget` resets a key after success.
///
/// Caveats: after `shutDown`, `next()` still hands out what is already queued and then returns
/// nil; delayed keys are dropped.
public actor WorkQueue<Key: Hashable & Sendable, C: Clock>: Sendable where C.Duration == Duration {
    private let clock: C
    private var queue = Deque<Key>()
    private var dirty = Set<Key>()
    private var processing = Set<Key>()
    private var waiters = Deque<(id: UInt64, continuation: CheckedContinuation<Key?, Never>)>()
    private var nextWaiterID: UInt64 = 0
    private var delayed = DeadlineHeap<Key, C.Instant>()
    private var limiter: RateLimiter<Key, C.Instant>
    private var timer: Task<Void, Never>?
    private var timerDeadline: C.Instant?
    private var timerGeneration: UInt64 = 0
    private var shuttingDown = false

    /// A queue timed by `clock` with the given retry rate limiter.
    public init(clock: C, rateLimiter: RateLimiter<Key, C.Instant> = RateLimiter()) {
        self.clock = clock
        self.limiter = rateLimiter
    }

    /// Keys ready to be handed out (not counting delayed or in-process keys).
    public var count: Int { queue.count }

    /// Keys waiting for a deadline.
    public var delayedCount: Int { delayed.count }

    /// True once `shutDown` was called.
    public var isShuttingDown: Bool { shuttingDown }

    /// Queues `key` now (a no-op if it is already queued).
    public func add(_ key: Key) {
        guard !shuttingDown, dirty.insert(key).inserted else { return }
        if processing.contains(key) { return }
        queue.append(key)
        wakeWaiter()
    }

    /// Queues `key` after `delay`; if it already waits for an earlier deadline, that one stands.
    public func add(_ key: Key, after delay: Duration) {
        guard !shuttingDown else { return }
        guard delay > .zero else { return add(key) }
        if delayed.schedule(key, at: clock.now.advanced(by: delay)) { armTimer() }
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
        if dirty.contains(key) {
            queue.append(key)
            wakeWaiter()
        }
    }

    /// Stops accepting keys and releases idle workers once the queue is drained.
    public func shutDown() {
        shuttingDown = true
        timer?.cancel()
        timer = nil
        timerDeadline = nil
        while queue.isEmpty, let waiter = waiters.popFirst() { waiter.continuation.resume(returning: nil) }
    }

    private func popReady() -> Key? {
        guard let key = queue.popFirst() else { return nil }
        dirty.remove(key)
        processing.insert(key)
        return key
    }

    private func wakeWaiter() {
        while !queue.isEmpty, let waiter = waiters.popFirst() {
            waiter.continuation.resume(returning: popReady())
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
            await self.timerFired(generation)
        }
    }

    private func timerFired(_ generation: UInt64) {
        // A superseded timer (a new earlier deadline arrived) must not release anything.
        guard generation == timerGeneration else { return }
        timer = nil
        timerDeadline = nil
        for key in delayed.popDue(at: clock.now) { add(key) }
        armTimer()
    }
}
