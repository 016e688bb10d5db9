import Foundation

extension KubeClient {
    /// Watches `resource` from `options.resourceVersion`: the events of one watch request, until the
    /// server ends it (the stream finishes), it fails (the stream throws `KubeError`), or the
    /// consumer stops iterating (the transfer is cancelled).
    ///
    /// Caveats: one call is one HTTP watch. Resuming after a clean end, re-listing after a 410 and
    /// backing off are the caller's (see `WatchState`). A stream silent for longer than
    /// `timeoutSeconds` + `idleMargin` is presumed dead and ends with a transport error.
    /// `known` gives the objects this process already holds (its own writes), whose MODIFIED
    /// events are then not decoded again (see `WatchDecoder`).
    public func watch<T: Decodable & Sendable>(
        _ type: T.Type, _ resource: ResourceType, namespace: String? = nil, options: WatchOptions = WatchOptions(),
        idleMargin: Duration = .seconds(5), known: KnownObject<T>? = nil
    ) -> AsyncThrowingStream<WatchEvent<T>, any Error> {
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: WatchEvent<T>.self)
        let request = Endpoint(resource, namespace: namespace).watch(options)
        let idle = options.timeoutSeconds.map { Duration.seconds($0) + idleMargin }
        let task = Task {
            do {
                let http = try await httpRequest(for: request, streaming: true, idleTimeout: idle)
                apiCalls.record(.watch)
                var decoder = WatchDecoder<T>(known: known)
                var errorBody: Data?
                var errorHead: HTTPResponse?
                for try await part in loop.stream(http) {
                    switch part {
                    case .head(let head):
                        logWarnings(head, request)
                        if head.status != 200 {
                            errorHead = head
                            errorBody = Data()
                        }
                    case .data(let bytes):
                        if errorBody != nil {
                            errorBody?.append(contentsOf: bytes)
                        } else {
                            for event in try decoder.push(bytes) { continuation.yield(event) }
                        }
                    }
                }
                if let errorHead {
                    if errorHead.status == 401 { await credentials.invalidate() }
                    throw KubeError(code: errorHead.status, body: errorBody ?? Data(), retryAfterHeader: errorHead.headers["retry-after"])
                }
                for event in try decoder.finish() { continuation.yield(event) }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }

    /// Watches a typed kind.
    public func watch<T: KubeResource>(
        _ type: T.Type, namespace: String? = nil, options: WatchOptions = WatchOptions()
    ) -> AsyncThrowingStream<WatchEvent<T>, any Error> {
        watch(T.self, T.resourceType, namespace: namespace, options: options)
    }
}
