import Foundation
import Testing

@testable import Kube
import TestSupport

@Suite struct BackoffTests {
    let start = ContinuousClock.now

    @Test func doublesFromPointEightSecondsUpToThirtyWithJitter() {
        var backoff = Backoff<ContinuousClock.Instant>()
        var low = FixedRandom(value: 0)
        let delays = (0..<8).map { backoff.next(at: start + .seconds($0), using: &low) }
        #expect(delays == [0.8, 1.6, 3.2, 6.4, 12.8, 25.6, 30, 30].map { Duration.milliseconds(Int($0 * 1000)) })
        var jittered = Backoff<ContinuousClock.Instant>()
        var random = SeededRandom(seed: 3)
        for attempt in 0..<10 {
            let delay = jittered.next(at: start + .seconds(attempt), using: &random)
            let base = min(Duration.milliseconds(800) * (1 << attempt), .seconds(30))
            #expect(delay >= base && delay < base * 2)
        }
    }

    @Test func resetsAfterTwoQuietMinutes() {
        var backoff = Backoff<ContinuousClock.Instant>()
        var low = FixedRandom(value: 0)
        _ = backoff.next(at: start, using: &low)
        _ = backoff.next(at: start + .seconds(1), using: &low)
        #expect(backoff.next(at: start + .seconds(100), using: &low) == .milliseconds(3200))
        #expect(backoff.next(at: start + .seconds(221), using: &low) == .milliseconds(800))
    }
}

@Suite struct WatchStateTests {
    typealias State = WatchState<ContinuousClock.Instant>
    let now = ContinuousClock.now

    func added(_ version: String) -> WatchEvent<String> { .added("object-\(version)") }

    @Test func paginatedListThenWatchFromListVersion() {
        var state = State(config: WatchConfig(labelSelector: "app=x", pageSize: 2))
        guard case .list(let first) = state.nextRequest else {
            Issue.record("expected a list")
            return
        }
        #expect(first.limit == 2)
        #expect(first.continueToken == nil)
        #expect(first.labelSelector == "app=x")
        #expect(state.pageListed(ListMeta(resourceVersion: "5", continue: "page2")) == .morePages)
        #expect(state.nextRequest == .list(ListOptions(labelSelector: "app=x", limit: 2, continueToken: "page2")))
        #expect(state.pageListed(ListMeta(resourceVersion: "7")) == .complete)
        #expect(state.nextRequest == .watch(WatchOptions(labelSelector: "app=x", resourceVersion: "7", timeoutSeconds: 290)))
    }

    @Test func cleanCloseResumesFromLastEventOrBookmark() {
        var state = State()
        var random = SeededRandom(seed: 1)
        _ = state.pageListed(ListMeta(resourceVersion: "7"))
        #expect(state.observed(added("8"), resourceVersion: "8", at: now, using: &random) == .deliver)
        state.streamEnded()
        #expect(state.resourceVersion == "8")
        #expect(state.observed(WatchEvent<String>.bookmark(resourceVersion: "20", annotations: [:]), resourceVersion: nil, at: now, using: &random) == .progress)
        state.streamEnded()
        guard case .watch(let options) = state.nextRequest else {
            Issue.record("expected a watch")
            return
        }
        #expect(options.resourceVersion == "20")
        #expect(options.allowWatchBookmarks)
    }

    @Test func goneEventRelistsFromScratch() {
        var state = State()
        var random = SeededRandom(seed: 1)
        _ = state.pageListed(ListMeta(resourceVersion: "7"))
        let gone = WatchEvent<String>.error(Status(message: "too old", reason: "Expired", code: 410))
        #expect(state.observed(gone, resourceVersion: nil, at: now, using: &random) == .relist)
        #expect(state.phase == .listing(continueToken: nil))
        #expect(state.nextRequest == .list(ListOptions()))
    }

    @Test func goneResponseRelistsAtOnceEvenMidPagination() {
        var state = State()
        var random = SeededRandom(seed: 1)
        _ = state.pageListed(ListMeta(resourceVersion: "5", continue: "p2"))
        #expect(state.failed(.gone("continue expired"), at: now, using: &random) == .zero)
        #expect(state.phase == .listing(continueToken: nil))
    }

    @Test func otherFailuresKeepThePositionAndBackOff() {
        var state = State()
        var random = FixedRandom(value: 0)
        _ = state.pageListed(ListMeta(resourceVersion: "5", continue: "p2"))
        #expect(state.failed(.transport("refused"), at: now, using: &random) == .milliseconds(800))
        #expect(state.phase == .listing(continueToken: "p2"))
        _ = state.pageListed(ListMeta(resourceVersion: "5"))
        #expect(state.failed(.tooManyRequests(retryAfter: .seconds(9), ""), at: now, using: &random) == .seconds(9))
        #expect(state.resourceVersion == "5")
        let error = WatchEvent<String>.error(Status(message: "boom", reason: "InternalError", code: 500))
        #expect(state.observed(error, resourceVersion: nil, at: now, using: &random) == .retry(after: .milliseconds(3200)))
        #expect(state.resourceVersion == "5")
    }

    /// A watch that delivered events is a success: the next failure starts the backoff over
    /// (kube-rs `StreamBackoff` resets on every good item), while failures in a row still grow it.
    /// Without the reset, a watch closed often (one close in a while with no event in between)
    /// climbed to 30 s (up to 60 s with jitter) and missed the last writes for that long.
    @Test func eventsResetTheBackoffAndRepeatedFailuresGrowIt() {
        var state = State()
        var random = FixedRandom(value: 0)
        _ = state.pageListed(ListMeta(resourceVersion: "5"))
        let failures = (0..<6).map { state.failed(.transport("closed at once"), at: now + .seconds($0), using: &random) }
        #expect(failures == [0.8, 1.6, 3.2, 6.4, 12.8, 25.6].map { Duration.milliseconds(Int($0 * 1000)) })
        #expect(state.observed(added("9"), resourceVersion: "9", at: now + .seconds(7), using: &random) == .deliver)
        #expect(state.failed(.transport("closed at once"), at: now + .seconds(8), using: &random) == .milliseconds(800))
        #expect(state.failed(.transport("closed at once"), at: now + .seconds(9), using: &random) == .milliseconds(1600))
        let bookmark = WatchEvent<String>.bookmark(resourceVersion: "12", annotations: [:])
        #expect(state.observed(bookmark, resourceVersion: nil, at: now + .seconds(10), using: &random) == .progress)
        #expect(state.failed(.transport("closed at once"), at: now + .seconds(11), using: &random) == .milliseconds(800))
        // An ERROR event is a failure, not a success: it keeps growing the backoff.
        let error = WatchEvent<String>.error(Status(message: "boom", reason: "InternalError", code: 500))
        #expect(state.observed(error, resourceVersion: nil, at: now + .seconds(12), using: &random) == .retry(after: .milliseconds(1600)))
    }
}
