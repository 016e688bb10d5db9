/// Finds an object this process already holds at exactly a version: given the namespace, name
/// and resourceVersion found in a body, that object, or nil. A resourceVersion names one version
/// of one object, so what it returns is what the body would decode to.
///
/// Why: a controller's own write comes back twice, as the write's response and as its watch
/// event (the echo), carrying the same object; whichever arrives second can be taken from what
/// the first was decoded to (`WrittenObjects`, an informer's `Store`) instead of being decoded
/// again (BENCHMARKS.md, "Controller", sixth round). The namespace, name and version are read
/// with a skim (`JSONSkim`), so a body found known is never parsed whole (nineteenth round).
public typealias KnownObject<Object> = @Sendable (_ namespace: String?, _ name: String, _ resourceVersion: String) -> Object?
