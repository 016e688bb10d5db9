import Foundation
import Kube
import Logging
import Prometheus
import Synchronization

/// Settings of the `--notify-url` sender.
public struct NotifierConfig: Sendable {
    /// Where to POST. May hold a token (Slack webhook URLs do): only its scheme and host are logged.
    public var url: String
    /// Notifications held at most; when full, the oldest is dropped (and counted) for the newest.
    public var capacity: Int
    /// Attempts per notification before it is given up (and counted as failed).
    public var maxAttempts: Int
    /// Back-off before the first retry; doubled per retry up to `maxBackoff`, with ±20% jitter.
    public var initialBackoff: Duration
    public var maxBackoff: Duration
    /// Time one POST may take in all (a receiver that hangs costs at most this per attempt).
    public var timeout: Duration

    /// Defaults: 1000 queued, 5 attempts, back-off 1 s doubling to 30 s, 10 s per attempt.
    public init(
        url: String, capacity: Int = 1000, maxAttempts: Int = 5, initialBackoff: Duration = .seconds(1),
        maxBackoff: Duration = .seconds(30), timeout: Duration = .seconds(10)
    ) {
        self.url = url
        self.capacity = capacity
        self.maxAttempts = maxAttempts
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
        self.timeout = timeout
    }
}

/// Delivers notifications to `--notify-url` in the background, in the order they were enqueued.
///
/// Guarantees: `enqueue` never blocks or waits (a reconcile only appends to an in-memory queue
/// under a lock); delivery runs on its own task over its own libcurl loop (its own thread), so a
/// receiver that hangs or fails slows no reconcile and no API call. Each notification is tried up
/// to `maxAttempts` times with jittered exponential back-off (a 2xx answer is success; a 4xx other
/// than 408 and 429 is final, since repeating it cannot help); the next one waits for it, so
/// order is kept.
///
/// Caveats: the queue is in memory: on a graceful shutdown the controller gives it up to 2 s to
/// drain (`drain(within:)`); what is still queued after that, or at a crash, is lost (the audit
/// line and the Event remain). When the queue is full, the oldest notification
/// is dropped for the newest (counted in `elevator_notifications_dropped_total`):
/// recent transitions matter more to the people on call than old ones.
public final class Notifier: Sendable {
    private struct State {
        var queue: [TransitionNotification] = []
        var head = 0
        /// True while a notification taken from the queue is being delivered.
        var delivering = false
        var count: Int { queue.count - head }

        mutating func popFirst() -> TransitionNotification? {
            guard head < queue.count else { return nil }
            let first = queue[head]
            head += 1
            if head > 64, head * 2 > queue.count {
                queue.removeFirst(head)
                head = 0
            }
            return first
        }
    }

    let config: NotifierConfig
    private let state = Mutex(State())
    private let signal: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation
    private let logger: Logger
    /// The receiver as logs may show it: scheme and host only (the path or query may be a secret).
    let destination: String
    let sent: Counter
    /// Notifications given up: every attempt failed, or the receiver refused it for good.
    let failed: Counter
    /// Each failed POST, also those a retry then delivered.
    let failedAttempts: Counter
    /// Notifications dropped from a full queue.
    let dropped: Counter

    /// A notifier for `config`, counting into `registry`.
    public init(config: NotifierConfig, registry: PrometheusCollectorRegistry, logger: Logger) {
        self.config = config
        self.logger = logger
        (signal, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        destination = Self.redacted(config.url)
        func descriptor(_ name: String, _ help: String) -> MetricNameDescriptor {
            MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
        }
        sent = registry.makeCounter(descriptor: descriptor("elevator_notifications_sent_total", "Notifications the --notify-url receiver accepted (2xx)."))
        failed = registry.makeCounter(
            descriptor: descriptor("elevator_notifications_failed_total", "Notifications given up: every attempt failed, or the receiver refused one with a 4xx."))
        failedAttempts = registry.makeCounter(
            descriptor: descriptor("elevator_notification_attempts_failed_total", "Notification POSTs that failed (transport error, timeout, non-2xx), retried ones included."))
        dropped = registry.makeCounter(
            descriptor: descriptor("elevator_notifications_dropped_total", "Notifications dropped from a full queue (the oldest goes)."))
    }

    /// Appends `notification` to the queue and returns at once.
    public func enqueue(_ notification: TransitionNotification) {
        let droppedOldest = state.withLock { state -> Bool in
            state.queue.append(notification)
            guard state.count > config.capacity else { return false }
            _ = state.popFirst()
            return true
        }
        if droppedOldest {
            dropped.increment()
            logger.warning("the notification queue is full; the oldest notification was dropped", metadata: ["receiver": "\(destination)"])
        }
        wake.yield()
    }

    /// Notifications waiting to be delivered (the one being delivered excluded).
    public var pending: Int { state.withLock { $0.count } }

    /// Waits until the queue is empty and nothing is being delivered, or `limit` passed; for a
    /// graceful shutdown, so that the last transitions still reach people. Returns at once when
    /// the calling task is cancelled (then the sender is being cancelled too).
    public func drain(within limit: Duration) async {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline, !Task.isCancelled, state.withLock({ $0.count > 0 || $0.delivering }) {
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Delivers until the calling task is cancelled.
    public func run() async {
        let curl = CurlLoop(logger: logger)
        defer { curl.shutdown() }
        var random = SystemRandomNumberGenerator()
        var signals = signal.makeAsyncIterator()
        while !Task.isCancelled {
            let taken = state.withLock { state -> TransitionNotification? in
                let next = state.popFirst()
                state.delivering = next != nil
                return next
            }
            guard let next = taken else {
                guard await signals.next() != nil else { return }
                continue
            }
            await deliver(next, over: curl, random: &random)
            state.withLock { $0.delivering = false }
        }
    }

    private func deliver(_ notification: TransitionNotification, over curl: CurlLoop, random: inout SystemRandomNumberGenerator) async {
        let request = HTTPRequest(
            method: "POST", url: config.url, headers: ["Content-Type": "application/json"], body: notification.body,
            timeout: config.timeout, connectTimeout: min(config.timeout, .seconds(5)))
        var backoff = config.initialBackoff
        for attempt in 1...max(1, config.maxAttempts) {
            let outcome: String
            var retryable = true
            do {
                let response = try await curl.perform(request)
                if (200..<300).contains(response.status) {
                    sent.increment()
                    return
                }
                retryable = response.status >= 500 || response.status == 408 || response.status == 429
                outcome = "HTTP \(response.status)"
            } catch is CancellationError {
                return
            } catch {
                outcome = "no answer (\(Self.transportProblem(error, url: config.url)))"
            }
            failedAttempts.increment()
            let final = !retryable || attempt == max(1, config.maxAttempts)
            logger.warning(
                "a notification could not be delivered\(final ? "; giving it up" : "; retrying")",
                metadata: [
                    "receiver": "\(destination)", "event": "\(notification.event)",
                    "request": "\(notification.namespace)/\(notification.request)", "attempt": "\(attempt)", "outcome": "\(outcome)",
                ])
            if final { break }
            let jitter = Double.random(in: 0.8...1.2, using: &random)
            do {
                try await Task.sleep(for: backoff * jitter)
            } catch {
                return
            }
            backoff = min(backoff * 2, config.maxBackoff)
        }
        failed.increment()
    }

    /// `scheme://host[:port]` of `url`: never its path, query or user info.
    static func redacted(_ url: String) -> String {
        guard let components = URLComponents(string: url), let scheme = components.scheme, let host = components.host else {
            return "(an unparsable URL)"
        }
        return "\(scheme)://\(host)\(components.port.map { ":\($0)" } ?? "")"
    }

    /// libcurl's account of a failed POST without the URL (the transport's messages start with
    /// `POST <url without query>: `, and a webhook's path may be its secret).
    static func transportProblem(_ error: any Error, url: String) -> String {
        guard case KubeError.transport(let message) = error else { return "transport error" }
        let prefix = "POST " + (url.split(separator: "?", maxSplits: 1).first.map(String.init) ?? url) + ": "
        guard message.hasPrefix(prefix) else { return "transport error" }
        return String(message.dropFirst(prefix.count))
    }
}
