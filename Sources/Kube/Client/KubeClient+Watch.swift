import Foundation

extension KubeClient {
    /// Watches `resource` from `options.resourceVersion`: the events of one watch request, sent
    /// when the first event is asked for, until the server ends it (the sequence ends), it fails
    /// (the sequence throws `KubeError`), or the consumer stops iterating (the transfer is
    /// cancelled). Each event is decoded in the consumer's task (see `WatchEvents`).
    ///
    /// Caveats: one call is one HTTP watch. Resuming after a clean end, re-listing after a 410 and
    /// backing off are the caller's (see `WatchState`). A stream silent for longer than
    /// `timeoutSeconds` + `idleMargin` is presumed dead and ends with a transport error.
    /// `known` gives the objects this process already holds (its own writes), whose MODIFIED
    /// events are then not decoded again (see `WatchDecoder`).
    public func watch<T: Decodable & Sendable>(
        _ type: T.Type, _ resource: ResourceType, namespace: String? = nil, options: WatchOptions = WatchOptions(),
        idleMargin: Duration = .seconds(5), known: KnownObject<T>? = nil
    ) -> WatchEvents<T> {
        WatchEvents(
            client: self, request: Endpoint(resource, namespace: namespace).watch(options),
            idleTimeout: options.timeoutSeconds.map { Duration.seconds($0) + idleMargin }, known: known)
    }

    /// Watches `resource` as `watch` does, reading each event's object from a skim of its line
    /// (`WatchSkimmable`) instead of decoding it whole.
    public func watch<T: WatchSkimmable>(
        _ type: T.Type, _ resource: ResourceType, namespace: String? = nil, options: WatchOptions = WatchOptions(),
        idleMargin: Duration = .seconds(5)
    ) -> WatchEvents<T> {
        // `known:` picks the general overload.
        var events = watch(T.self, resource, namespace: namespace, options: options, idleMargin: idleMargin, known: nil)
        events.skimmed = T.skimmedEvent
        return events
    }

    /// Watches a typed kind.
    public func watch<T: KubeResource>(
        _ type: T.Type, namespace: String? = nil, options: WatchOptions = WatchOptions()
    ) -> WatchEvents<T> {
        watch(T.self, T.resourceType, namespace: namespace, options: options)
    }
}
