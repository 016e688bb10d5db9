import Synchronization
import Testing

@testable import Kube
import TestSupport

@Suite struct DeadlineHeapTests {
    typealias Instant = ManualClock.Instant
    func at(_ ms: Int) -> Instant { Instant(offset: .milliseconds(ms)) }

    @Test func earlierDeadlineWinsAndLaterIsIgnored() {
        var heap = DeadlineHeap<String, Instant>()
        let first = heap.schedule("a", at: at(100))
        let earlier = heap.schedule("a", at: at(50))
        let later = heap.schedule("a", at: at(70))
        #expect(first && earlier && !later)
        #expect(heap.deadline(of: "a") == at(50))
        #expect(heap.count == 1)
        let next = heap.nextDeadline()
        #expect(next == at(50))
        let early = heap.popDue(at: at(49))
        #expect(early.isEmpty)
        let due = heap.popDue(at: at(100))
        #expect(due == ["a"])
        let none = heap.nextDeadline()
        #expect(none == nil)
    }

    @Test func thousandsOfKeysComeOutInDeadlineOrder() {
        var heap = DeadlineHeap<Int, Instant>()
        var random = SeededRandom(seed: 42)
        var deadlines: [Int: Int] = [:]
        for key in 0..<10_000 {
            let ms = Int.random(in: 0..<100_000, using: &random)
            heap.schedule(key, at: at(ms))
            deadlines[key] = min(deadlines[key] ?? .max, ms)
        }
        for key in stride(from: 0, to: 10_000, by: 3) {
            heap.schedule(key, at: at(deadlines[key, default: 0] / 2))
            deadlines[key] = deadlines[key, default: 0] / 2
        }
        heap.cancel(7)
        deadlines.removeValue(forKey: 7)
        var popped: [Int] = []
        for step in stride(from: 0, through: 100_000, by: 1000) {
            let due = heap.popDue(at: at(step))
            #expect(due.allSatisfy { deadlines[$0, default: .max] <= step })
            popped += due
        }
        #expect(popped.count == deadlines.count)
        #expect(Set(popped) == Set(deadlines.keys))
        #expect(popped.map { deadlines[$0, default: 0] } == popped.map { deadlines[$0, default: 0] }.sorted())
    }
}

@Suite struct RateLimiterTests {
    typealias Instant = ManualClock.Instant

    @Test func perItemDelayDoublesFromFiveMillisecondsToThousandSeconds() {
        var limiter = RateLimiter<String, Instant>(qps: 0)
        let now = Instant(offset: .zero)
        let delays = (0..<5).map { _ in limiter.when("k", now: now) }
        #expect(delays == [.milliseconds(5), .milliseconds(10), .milliseconds(20), .milliseconds(40), .milliseconds(80)])
        #expect(limiter.when("other", now: now) == .milliseconds(5))
        for _ in 0..<60 { _ = limiter.when("k", now: now) }
        #expect(limiter.when("k", now: now) == .seconds(1000))
        #expect(limiter.retries("k") == 66)
        limiter.forget("k")
        #expect(limiter.when("k", now: now) == .milliseconds(5))
    }

    @Test func overallBucketLimitsAStormAfterTheBurst() {
        var limiter = RateLimiter<Int, Instant>()
        let now = Instant(offset: .zero)
        let delays = (0..<120).map { limiter.when($0, now: now) }
        #expect(delays.prefix(100).allSatisfy { $0 == .milliseconds(5) })
        #expect(delays[100] == .milliseconds(100))
        #expect(delays[119] == .seconds(2))
        // Ten seconds later the bucket has refilled by 100 tokens.
        #expect(limiter.when(1000, now: Instant(offset: .seconds(12))) == .milliseconds(5))
    }
}

@Suite(.timeLimit(.minutes(1))) struct WorkQueueTests {
    @Test func duplicateKeysAreQueuedOnce() async {
        let queue = WorkQueue<String, ManualClock>(clock: ManualClock())
        await queue.add("a")
        await queue.add("b")
        await queue.add("a")
        #expect(await queue.count == 2)
        #expect(await queue.next() == "a")
        #expect(await queue.next() == "b")
        #expect(await queue.count == 0)
    }

    @Test func keyAddedWhileProcessingIsHandedOutAgainOnlyAfterDone() async {
        let queue = WorkQueue<String, ManualClock>(clock: ManualClock())
        await queue.add("a")
        #expect(await queue.next() == "a")
        await queue.add("a")
        await queue.add("a")
        #expect(await queue.count == 0)
        await queue.done("a")
        #expect(await queue.count == 1)
        #expect(await queue.next() == "a")
        await queue.done("a")
        #expect(await queue.count == 0)
    }

    @Test func additionsInOneCallQueueAsTheSameAddsOneByOne() async {
        let clock = ManualClock()
        let queue = WorkQueue<String, ManualClock>(clock: clock)
        await queue.add([
            .init("settled", priority: .background, andAfter: .seconds(5), priority: .urgent),
            .init("new"),
            .init("settled"),  // moves it up to normal; its deadline stands
            .init("later", priority: .background, andAfter: .seconds(10), priority: .urgent),
        ])
        #expect(await queue.count == 3)
        #expect(await queue.delayedCount == 2)
        // FIFO within a priority: "settled" joined the normal lane after "new".
        #expect(await queue.next() == "new")
        #expect(await queue.next() == "settled")
        #expect(await queue.next() == "later")
        for key in ["settled", "new", "later"] { await queue.done(key) }
        clock.advance(by: .seconds(5))
        #expect(await queue.next() == "settled")
        #expect(await queue.delayedCount == 1)
        await queue.add([])
        #expect(await queue.count == 0)
    }

    @Test func aBatchWakesAWaitingWorkerAndAimsTheTimerAtItsEarliestDeadline() async {
        let clock = ManualClock()
        let queue = WorkQueue<String, ManualClock>(clock: clock)
        async let taken = queue.next()
        await settle()  // the worker waits before anything is queued
        await queue.add([
            .init("late", priority: .background, andAfter: .seconds(10), priority: .urgent),
            .init("soon", priority: .background, andAfter: .seconds(3), priority: .urgent),
            .init("now", priority: .normal, andAfter: .zero, priority: .urgent),  // due at once: queued once, urgent
        ])
        #expect(await taken == "now")
        #expect(await queue.count == 2)
        for key in ["now", "late", "soon"] {
            if key != "now" { #expect(await queue.next() == key) }
            await queue.done(key)
        }
        #expect(await queue.count == 0)
        clock.advance(by: .seconds(3))
        await settle()
        // The second addition's deadline came first, though the timer was aimed after the batch.
        #expect(await queue.count == 1)
        #expect(await queue.next() == "soon")
        await queue.done("soon")
        clock.advance(by: .seconds(7))
        await settle()
        #expect(await queue.next() == "late")
    }

    @Test func earlierDeadlineWins() async {
        let clock = ManualClock()
        let queue = WorkQueue<String, ManualClock>(clock: clock)
        await queue.add("k", after: .seconds(10))
        await queue.add("k", after: .seconds(5))
        await queue.add("k", after: .seconds(20))
        clock.advance(by: .milliseconds(4999))
        await settle()
        #expect(await queue.count == 0)
        clock.advance(by: .milliseconds(1))
        #expect(await queue.next() == "k")
        await queue.done("k")
        clock.advance(by: .seconds(30))
        await settle()
        #expect(await queue.count == 0)
        #expect(await queue.delayedCount == 0)
    }

    @Test func rateLimitedRetriesBackOffPerKey() async {
        let clock = ManualClock()
        let queue = WorkQueue<String, ManualClock>(clock: clock)
        for expected in [5, 10, 20] {
            await queue.addRateLimited("k")
            clock.advance(by: .milliseconds(expected - 1))
            await settle()
            #expect(await queue.count == 0, "released before \(expected) ms")
            clock.advance(by: .milliseconds(1))
            #expect(await queue.next() == "k")
            await queue.done("k")
        }
        #expect(await queue.retries("k") == 3)
        await queue.forget("k")
        #expect(await queue.retries("k") == 0)
    }

    @Test func thousandsOfTimersShareOneSleepingTask() async {
        let clock = ManualClock()
        let queue = WorkQueue<Int, ManualClock>(clock: clock)
        var random = SeededRandom(seed: 9)
        var deadlines: [Int: Int] = [:]
        for key in 0..<5000 {
            let ms = Int.random(in: 1...60_000, using: &random)
            await queue.add(key, after: .milliseconds(ms))
            deadlines[key] = ms
        }
        await settle()
        #expect(clock.sleeperCount == 1)
        #expect(await queue.delayedCount == 5000)
        var released = 0
        var now = 0
        while now < 60_000 {
            now += 1000
            clock.advance(by: .seconds(1))
            let due = deadlines.values.filter { $0 <= now && $0 > now - 1000 }.count
            for _ in 0..<due {
                guard let key = await queue.next() else { break }
                #expect(deadlines[key, default: .max] <= now)
                await queue.done(key)
                released += 1
            }
            await settle()
            #expect(await queue.count == 0)
            #expect(clock.sleeperCount <= 1)
        }
        #expect(released == 5000)
        #expect(await queue.delayedCount == 0)
    }

    @Test func concurrentWorkersNeverShareAKey() async {
        let queue = WorkQueue<Int, ContinuousClock>(clock: ContinuousClock())
        final class Tally: Sendable {
            let inFlight = Mutex(Set<Int>())
            let overlaps = Mutex(0)
            let processed = Mutex(0)
        }
        let tally = Tally()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    while let key = await queue.next() {
                        let clash = tally.inFlight.withLock { !$0.insert(key).inserted }
                        if clash { tally.overlaps.withLock { $0 += 1 } }
                        await Task.yield()
                        tally.inFlight.withLock { _ = $0.remove(key) }
                        tally.processed.withLock { $0 += 1 }
                        await queue.done(key)
                    }
                }
            }
            for round in 0..<500 {
                await queue.add(round % 10)
                if round % 7 == 0 { await Task.yield() }
            }
            while await queue.count > 0 { await Task.yield() }
            try? await Task.sleep(for: .milliseconds(50))
            await queue.shutDown()
        }
        #expect(tally.overlaps.withLock { $0 } == 0)
        #expect(tally.processed.withLock { $0 } >= 10)
    }

    @Test func shutDownDrainsQueuedKeysThenReleasesWorkers() async {
        let queue = WorkQueue<String, ManualClock>(clock: ManualClock())
        await queue.add("a")
        await queue.shutDown()
        await queue.add("b")
        #expect(await queue.next() == "a")
        #expect(await queue.next() == nil)
        let waiting = WorkQueue<String, ManualClock>(clock: ManualClock())
        async let idle = waiting.next()
        try? await Task.sleep(for: .milliseconds(20))
        await waiting.shutDown()
        #expect(await idle == nil)
    }

    @Test func cancelledWorkerGetsNil() async {
        let queue = WorkQueue<String, ManualClock>(clock: ManualClock())
        let worker = Task { await queue.next() }
        try? await Task.sleep(for: .milliseconds(20))
        worker.cancel()
        #expect(await worker.value == nil)
        await queue.add("a")
        #expect(await queue.next() == "a")
    }

    /// Lets timer tasks woken by the manual clock run to completion.
    func settle() async {
        for _ in 0..<20 {
            await Task.yield()
            try? await Task.sleep(for: .milliseconds(1))
        }
    }
}
