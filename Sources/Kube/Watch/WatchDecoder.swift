import Foundation
import YAML

/// Turns the bytes of a watch response into `WatchEvent`s.
///
/// Guarantees: events come out in stream order, each exactly once, whatever the chunking.
/// BOOKMARK objects are read as metadata only (they carry no spec); ERROR objects as `Status`.
/// Caveat: an unknown event type or a line that is not JSON throws `KubeError.decoding`; the
/// stream should then be restarted from the last good resourceVersion.
public struct WatchDecoder<Object: Decodable & Sendable>: Sendable {
    private var framer = LineFramer()
    private let known: KnownObject<Object>?
    private let skimmed: SkimmedEvent<Object>?

    /// A decoder at the start of a stream; `known` (if any) is asked before a MODIFIED event's
    /// object is decoded, and what it returns is taken instead.
    public init(known: KnownObject<Object>? = nil) {
        self.known = known
        self.skimmed = nil
    }

    /// A decoder that reads each ADDED, MODIFIED and DELETED event from a skim of its line
    /// (`WatchSkimmable`); other events, and lines the skim cannot read, are decoded whole.
    init(skimmed: SkimmedEvent<Object>?, known: KnownObject<Object>?) {
        self.known = known
        self.skimmed = skimmed
    }

    /// Feeds one chunk and returns the events it completes.
    public mutating func push(_ chunk: some Sequence<UInt8>) throws(KubeError) -> [WatchEvent<Object>] {
        var events: [WatchEvent<Object>] = []
        for line in framer.push(chunk) { events.append(try decodeLine(line)) }
        return events
    }

    /// Ends the stream; returns the event of a final line that had no newline, if any.
    public mutating func finish() throws(KubeError) -> [WatchEvent<Object>] {
        guard let line = framer.finish() else { return [] }
        return [try decodeLine(line)]
    }

    /// Decodes one `{"type":…,"object":…}` line, taking a MODIFIED event's object from `known`
    /// when it has that version. Whether it has is found by skimming the line for the event's
    /// type and its object's namespace, name and resourceVersion (`JSONSkim`): an echo of this
    /// process's own write is then never parsed whole.
    public func decodeLine(_ line: [UInt8]) throws(KubeError) -> WatchEvent<Object> {
        if let known, let object = WatchLineSkims.echo(of: line, in: known) { return .modified(object) }
        if let skimmed, let event = skimmed(line) { return event }
        do {
            return try JSONBody.decode(Envelope.self, from: line).event
        } catch let error as KubeError {
            throw error
        } catch {
            throw KubeError.decoding("a watch event could not be read: \(error)")
        }
    }

    private struct Envelope: Decodable {
        var event: WatchEvent<Object>

        enum CodingKeys: String, CodingKey { case type, object }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            let type = try container.decode(String.self, forKey: .type)
            switch type {
            case "ADDED": event = .added(try container.decode(Object.self, forKey: .object))
            case "MODIFIED": event = .modified(try container.decode(Object.self, forKey: .object))
            case "DELETED": event = .deleted(try container.decode(Object.self, forKey: .object))
            case "BOOKMARK":
                let bookmark = try container.decode(WatchBookmark.self, forKey: .object)
                event = .bookmark(
                    resourceVersion: bookmark.metadata?.resourceVersion ?? "",
                    annotations: bookmark.metadata?.annotations ?? [:])
            case "ERROR": event = .error(try container.decode(Status.self, forKey: .object))
            default: throw KubeError.decoding("unknown watch event type '\(type)'")
            }
        }
    }
}

// Outside `WatchDecoder`: a type nested in a generic type is generic itself, and its metadata is
// looked up at run time on every use.

/// The skims of a watch event's line.
enum WatchLineSkims {
    /// The event's type: the first member of every line a server writes, so this skim ends there.
    static let type = JSONSkim(paths: [["type"]])
    /// What names the event's object.
    static let names = JSONSkim(paths: [
        ["object", "metadata", "namespace"], ["object", "metadata", "name"], ["object", "metadata", "resourceVersion"],
    ])

    /// The object `known` holds at exactly the version a MODIFIED `line` carries, if any. The
    /// type is skimmed first, so an event of another type costs next to nothing here.
    static func echo<Object>(of line: [UInt8], in known: KnownObject<Object>) -> Object? {
        guard type.strings(in: line)?[0] == "MODIFIED", let found = names.strings(in: line), let name = found[1],
            let version = found[2]
        else { return nil }
        return known(found[0], name, version)
    }
}

/// A BOOKMARK event's object: its resourceVersion and annotations only.
private struct WatchBookmark: Decodable {
    struct Metadata: Decodable {
        var resourceVersion: String?
        var annotations: [String: String]?
    }
    var metadata: Metadata?
}
