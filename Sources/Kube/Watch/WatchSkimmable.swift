import YAML

/// A type a watch reads from a few string members of each event's object (`JSONSkim`), without
/// parsing the rest of the line: for a consumer that needs little of every event, such as one
/// that times them (the benchmarks' driver reads a request's name, version and phase).
///
/// Caveat: a skim checks only the part of the line it walks (see `JSONSkim`). BOOKMARK and ERROR
/// events, and lines a skim cannot read, are decoded whole through `Decodable`.
public protocol WatchSkimmable: Decodable, Sendable {
    /// The members read, each a path of member names below the event's object.
    static var skimmedPaths: [[String]] { get }

    /// The value from those members' strings, in the order of `skimmedPaths` (nil: absent or not
    /// a string).
    init(skimmed: [String?])
}

/// Reads one watch line into an event from a skim, or nil when the line is to be decoded whole.
typealias SkimmedEvent<Object> = @Sendable ([UInt8]) -> WatchEvent<Object>?

extension WatchSkimmable {
    /// How a watch of this type reads its lines.
    static var skimmedEvent: SkimmedEvent<Self> {
        let skim = JSONSkim(paths: [["type"]] + skimmedPaths.map { ["object"] + $0 })
        return { line in
            guard let found = skim.strings(in: line), let type = found[0] else { return nil }
            let event: (Self) -> WatchEvent<Self>
            switch type {
            case "ADDED": event = WatchEvent.added
            case "MODIFIED": event = WatchEvent.modified
            case "DELETED": event = WatchEvent.deleted
            default: return nil
            }
            return event(Self(skimmed: Array(found.dropFirst())))
        }
    }
}
