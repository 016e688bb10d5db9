import Foundation

/// The events of one watch request (`KubeClient.watch`), decoded in the consumer's task as it
/// asks for them. The request is sent when the first event is asked for.
///
/// Why a sequence of its own rather than a stream that a decoding task feeds: each event then
/// reaches its consumer in one hand-over (from the loop thread to the consumer's task) instead of
/// two (to a decoding task, then to the consumer), and no stream buffers decoded events in
/// between. On a busy machine every hand-over is a wait for a core, and a grant rides two watch
/// events (BENCHMARKS.md, "Controller", eleventh round).
///
/// Ends when the server ends the watch, throws `KubeError` when it fails, and cancels the
/// transfer when the consumer stops iterating or its task is cancelled.
public struct WatchEvents<Object: Decodable & Sendable>: AsyncSequence, Sendable {
    /// One decoded event of the watch.
    public typealias Element = WatchEvent<Object>

    let client: KubeClient
    let request: KubeRequest
    let idleTimeout: Duration?
    let known: KnownObject<Object>?
    var skimmed: SkimmedEvent<Object>? = nil

    /// An iterator that has not sent the request yet.
    public func makeAsyncIterator() -> Iterator { Iterator(self) }

    /// Reads the response as it arrives and decodes each complete line into an event.
    public struct Iterator: AsyncIteratorProtocol {
        private let watch: WatchEvents
        private var parts: AsyncThrowingStream<HTTPStreamPart, any Error>.AsyncIterator?
        private var decoder: WatchDecoder<Object>
        /// Decoded and not yet returned, last first (one chunk can complete several lines).
        private var decoded: [WatchEvent<Object>] = []
        /// A non-200 answer's head and body, thrown as `KubeError` once the body is complete.
        private var failure: (head: HTTPResponse, body: Data)?
        private var ended = false

        init(_ watch: WatchEvents) {
            self.watch = watch
            self.decoder = WatchDecoder(skimmed: watch.skimmed, known: watch.known)
        }

        /// The next event, or nil once the watch has ended.
        public mutating func next() async throws -> WatchEvent<Object>? {
            try await next(isolation: nil)
        }

        /// The next event, read without leaving the caller's isolation.
        public mutating func next(isolation actor: isolated (any Actor)?) async throws -> WatchEvent<Object>? {
            while true {
                if let event = decoded.popLast() { return event }
                if ended { return nil }
                do {
                    try await read(isolation: actor)
                } catch {
                    ended = true
                    decoded = []
                    throw error
                }
            }
        }

        /// Sends the request if it is not out yet, then takes in one part of the response.
        private mutating func read(isolation actor: isolated (any Actor)?) async throws {
            if parts == nil {
                let http = try await watch.client.httpRequest(for: watch.request, streaming: true, idleTimeout: watch.idleTimeout)
                watch.client.apiCalls.record(.watch)
                // Dropping this iterator (the consumer stopped early) cancels the stream, and so the transfer.
                parts = watch.client.loop.stream(http).makeAsyncIterator()
            }
            switch try await parts?.next(isolation: actor) {
            case .head(let head):
                watch.client.logWarnings(head, watch.request)
                if head.status != 200 { failure = (head, Data()) }
            case .data(let bytes):
                if failure != nil {
                    failure?.body.append(contentsOf: bytes)
                } else {
                    decoded = try decoder.push(bytes).reversed()
                }
            case nil:
                ended = true
                if let (head, body) = failure {
                    if head.status == 401 { await watch.client.credentials.invalidate() }
                    throw KubeError(code: head.status, body: body, retryAfterHeader: head.headers["retry-after"])
                }
                decoded = try decoder.finish().reversed()
            }
        }
    }
}

