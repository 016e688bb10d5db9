/// Settings of a list-then-watch loop, with client-go and kube-rs defaults.
public struct WatchConfig: Hashable, Sendable {
    public var labelSelector: String?
    public var fieldSelector: String?
    /// LIST page size; kube-rs and client-go's pager use 500.
    public var pageSize: Int?
    /// Server-side watch timeout; kube-rs uses 290 s.
    public var timeoutSeconds: Int
    /// Margin over `timeoutSeconds` after which a silent stream is presumed dead (kube-rs: 5 s).
    public var idleMargin: Duration

    /// Defaults: pages of 500, 290 s watches, 5 s idle margin.
    public init(
        labelSelector: String? = nil, fieldSelector: String? = nil, pageSize: Int? = 500, timeoutSeconds: Int = 290,
        idleMargin: Duration = .seconds(5)
    ) {
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.pageSize = pageSize
        self.timeoutSeconds = timeoutSeconds
        self.idleMargin = idleMargin
    }

    /// How long a watch may stay silent before the client gives up on it and reconnects.
    public var idleTimeout: Duration { .seconds(timeoutSeconds) + idleMargin }
}

/// The list/watch protocol as an explicit state machine, free of I/O (kube-rs `watcher.rs`).
///
/// The driver asks `nextRequest`, performs it, and reports what happened: a list page, each watch
/// event's resourceVersion, a clean end of the stream, or a failure.
///
/// Guarantees:
/// - After a clean close the next watch resumes from the resourceVersion of the last event *or
///   bookmark*, so nothing is missed or repeated.
/// - A 410 (HTTP or an ERROR event, `Expired` or `Gone`) discards the resourceVersion and starts
///   a fresh paginated list (a consistent read); other failures keep the position and back off.
/// - Items of a paginated list stay valid across a failed page; a request for the first page
///   (`continueToken == nil`) means the caller must drop the pages it buffered.
/// - Failures back off as client-go's reflector (`Backoff`: 0.8 s ×2 up to 30 s). Any event or
///   bookmark resets it, as kube-rs's `StreamBackoff` resets on every good item: a watch that
///   delivers is a success, so streams closed often (a proxy, an API server rollout) never push
///   the delay up. Without the reset the rare "closed at once without events" failures of such a
///   stream added up over a minute to delays of tens of seconds, during which nothing was seen.
public struct WatchState<Instant: InstantProtocol>: Sendable where Instant.Duration == Duration {
    /// Where the loop stands.
    public enum Phase: Hashable, Sendable {
        /// Listing; `continueToken` is the next page's, nil for the first page.
        case listing(continueToken: String?)
        /// Watching from `resourceVersion`.
        case watching(resourceVersion: String)
    }

    /// The request to make next.
    public enum Request: Hashable, Sendable {
        case list(ListOptions)
        case watch(WatchOptions)
    }

    /// What a list page means for the caller.
    public enum PageOutcome: Hashable, Sendable {
        /// More pages follow; keep the items until the list is complete.
        case morePages
        /// The list is complete; objects cached before it and absent from it were deleted.
        case complete
    }

    /// What a watch event means for the caller.
    public enum EventOutcome: Hashable, Sendable {
        /// Apply the event to the cache.
        case deliver
        /// Nothing to apply (a bookmark); the position moved.
        case progress
        /// The resourceVersion expired: stop this stream and re-list.
        case relist
        /// The server reported another error: stop this stream, back off for the returned delay.
        case retry(after: Duration)
    }

    public private(set) var phase: Phase = .listing(continueToken: nil)
    public let config: WatchConfig
    private var backoff: Backoff<Instant>

    /// A loop that starts with a list.
    public init(config: WatchConfig = WatchConfig(), backoff: Backoff<Instant> = Backoff()) {
        self.config = config
        self.backoff = backoff
    }

    /// The resourceVersion the next watch would start from, if the loop is watching.
    public var resourceVersion: String? {
        if case .watching(let version) = phase { return version }
        return nil
    }

    /// The request the loop needs next.
    public var nextRequest: Request {
        switch phase {
        case .listing(let token):
            .list(
                ListOptions(
                    labelSelector: config.labelSelector, fieldSelector: config.fieldSelector, limit: config.pageSize,
                    continueToken: token))
        case .watching(let version):
            .watch(
                WatchOptions(
                    labelSelector: config.labelSelector, fieldSelector: config.fieldSelector,
                    resourceVersion: version, allowWatchBookmarks: true, timeoutSeconds: config.timeoutSeconds))
        }
    }

    /// Records a list page; when it is the last, the loop moves on to watching.
    public mutating func pageListed(_ metadata: ListMeta) -> PageOutcome {
        if let token = metadata.continue, !token.isEmpty {
            phase = .listing(continueToken: token)
            return .morePages
        }
        phase = .watching(resourceVersion: metadata.resourceVersion ?? "")
        return .complete
    }

    /// Records one watch event. `resourceVersion` is the event object's (nil for ERROR events).
    public mutating func observed<Object>(
        _ event: WatchEvent<Object>, resourceVersion: String?, at now: Instant,
        using random: inout some RandomNumberGenerator
    ) -> EventOutcome {
        switch event {
        case .error(let status):
            let error = KubeError(status: status)
            if case .gone = error {
                phase = .listing(continueToken: nil)
                return .relist
            }
            return .retry(after: backoff.next(at: now, using: &random))
        case .bookmark(let version, _):
            if !version.isEmpty { phase = .watching(resourceVersion: version) }
            backoff.reset()
            return .progress
        case .added, .modified, .deleted:
            if let resourceVersion, !resourceVersion.isEmpty { phase = .watching(resourceVersion: resourceVersion) }
            backoff.reset()
            return .deliver
        }
    }

    /// The watch stream ended without an error (server timeout, connection closed by a proxy):
    /// the next watch resumes at once from the last resourceVersion.
    public mutating func streamEnded() {}

    /// A request failed; returns how long to wait before `nextRequest`. A 410 restarts the list.
    public mutating func failed(_ error: KubeError, at now: Instant, using random: inout some RandomNumberGenerator)
        -> Duration
    {
        if case .gone = error {
            phase = .listing(continueToken: nil)
            // client-go relists at once after an expired watch; only repeated failures wait.
            return .zero
        }
        // Other failures keep the position: a continue token stays valid until it expires (410),
        // so a paginated list resumes at the failed page, as kube-rs does.
        var delay = backoff.next(at: now, using: &random)
        if let serverDelay = error.retryAfter { delay = max(delay, serverDelay) }
        return delay
    }
}
