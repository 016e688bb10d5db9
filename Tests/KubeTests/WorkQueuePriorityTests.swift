import Testing

@testable import Kube

/// The work queue's priorities: what lets a controller revoke on time under a backlog of new
/// work, and serve new work before a resync of thousands of settled objects.
@Suite(.timeLimit(.minutes(1))) struct WorkQueuePriorityTests {
    typealias Queue = WorkQueue<String, ManualClock>

    @Test func urgentKeysGoFirstThenNormalThenBackground() async {
        let queue = Queue(clock: ManualClock(), backgroundShare: 100)
        await queue.add("resync-1", priority: .background)
        await queue.add("new-1")
        await queue.add("resync-2", priority: .background)
        await queue.add("expiry-1", priority: .urgent)
        await queue.add("new-2")
        await queue.add("expiry-2", priority: .urgent)
        #expect(await queue.count == 6)
        #expect(await queue.count(.background) == 2)
        var order: [String] = []
        for _ in 0..<6 {
            guard let key = await queue.next() else { break }
            order.append(key)
            await queue.done(key)
        }
        #expect(order == ["expiry-1", "expiry-2", "new-1", "new-2", "resync-1", "resync-2"])
        #expect(await queue.count == 0)
    }

    @Test func anExpiryOvertakesABacklogOfNewKeys() async {
        let queue = Queue(clock: ManualClock())
        for index in 0..<1000 { await queue.add("new-\(index)") }
        _ = await queue.next()
        await queue.add("expiry", priority: .urgent)
        #expect(await queue.next() == "expiry")
    }

    @Test(arguments: [Queue.Priority.urgent, .normal])
    func addingAgainWithAHigherPriorityMovesTheKeyUpOnce(priority: Queue.Priority) async {
        let queue = Queue(clock: ManualClock(), backgroundShare: 100)
        for index in 0..<3 { await queue.add("other-\(index)", priority: .background) }
        await queue.add("k", priority: .background)
        await queue.add("k", priority: priority)
        await queue.add("k", priority: .background)  // never moves down
        #expect(await queue.count == 4)
        #expect(await queue.next() == "k")
        await queue.done("k")
        var rest: [String] = []
        while await queue.count > 0, let key = await queue.next() {
            rest.append(key)
            await queue.done(key)
        }
        #expect(rest == ["other-0", "other-1", "other-2"], "the key's old entry is not handed out again")
    }

    @Test func backgroundKeysAreNotStarvedByAStreamOfNormalOnes() async {
        let queue = Queue(clock: ManualClock(), backgroundShare: 4)
        await queue.add("resync", priority: .background)
        var handedOut: [String] = []
        for index in 0..<8 {
            await queue.add("new-\(index)")
            guard let key = await queue.next() else { break }
            handedOut.append(key)
            await queue.done(key)
        }
        let position = handedOut.firstIndex(of: "resync")
        #expect(position != nil && position! < 4, "\(handedOut)")
    }

    @Test func atMostTheLimitOfBackgroundKeysAreInProcessAtOnce() async {
        let queue = Queue(clock: ManualClock(), backgroundLimit: 2)
        for index in 0..<5 { await queue.add("resync-\(index)", priority: .background) }
        #expect(await queue.next() == "resync-0")
        #expect(await queue.next() == "resync-1")
        // A third worker waits, although background keys are queued...
        let third = Task { await queue.next() }
        try? await Task.sleep(for: .milliseconds(20))
        // ...and takes new work at once.
        await queue.add("new")
        #expect(await third.value == "new")
        let fourth = Task { await queue.next() }
        try? await Task.sleep(for: .milliseconds(20))
        await queue.done("resync-0")
        #expect(await fourth.value == "resync-2", "a finished background key lets the next one in")
        #expect(await queue.count(.background) == 2)
    }

    @Test func aKeyReAddedUrgentWhileProcessingComesBackAheadOfOthers() async {
        let queue = Queue(clock: ManualClock())
        await queue.add("k")
        #expect(await queue.next() == "k")
        await queue.add("a")
        await queue.add("k", priority: .urgent)
        await queue.done("k")
        #expect(await queue.next() == "k")
        await queue.done("k")
        #expect(await queue.next() == "a")
    }

    @Test func aDelayedUrgentKeyComesOutUrgent() async {
        let clock = ManualClock()
        let queue = Queue(clock: clock)
        await queue.add("expiry", after: .seconds(5), priority: .urgent)
        await queue.add("later", after: .seconds(9))
        for index in 0..<10 { await queue.add("new-\(index)") }
        clock.advance(by: .seconds(5))
        await settle()
        #expect(await queue.next() == "expiry")
        #expect(await queue.count(.urgent) == 0)
        // An earlier normal deadline stands, with its own priority.
        await queue.add("later", after: .seconds(1))
        clock.advance(by: .seconds(1))
        await settle()
        #expect(await queue.count(.urgent) == 0)
        #expect(await queue.count(.normal) == 11)
    }

    /// Lets timer tasks woken by the manual clock run to completion.
    func settle() async {
        for _ in 0..<20 {
            await Task.yield()
            try? await Task.sleep(for: .milliseconds(1))
        }
    }
}
