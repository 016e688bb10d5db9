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

    /// A decoder at the start of a stream; `known` (if any) is asked before a MODIFIED event's
    /// object is decoded, and what it returns is taken instead.
    public init(known: KnownObject<Object>? = nil) {
        self.known = known
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
    /// when it has that version.
    public func decodeLine(_ line: [UInt8]) throws(KubeError) -> WatchEvent<Object> {
        do {
            guard let known else { return try JSONBody.decode(Envelope.self, from: line).event }
            return try JSONValueDecoder().withDocument(fromJSON: line) { document in
                if let peek = try? document.decode(WatchPeek.self), peek.type == "MODIFIED", let object = peek.object?.known(in: known) {
                    return .modified(object)
                }
                return try document.decode(Envelope.self).event
            }
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

/// What names an event's object, read before deciding whether to decode the object at all
/// (member by member: it is read for every MODIFIED line).
private struct WatchPeek: JSONMemberReadable {
    var type: String
    var object: ObjectVersion?

    struct Members: JSONMembers {
        var type: String?
        var object: ObjectVersion?

        mutating func decodeMember(_ member: borrowing JSONMember) throws {
            if member.is("type") {
                type = try member.decodeString()
            } else if member.is("object") {
                object = try member.decode(ObjectVersion.self)
            }
        }
    }

    init?(members: Members) {
        guard let type = members.type else { return nil }
        self.type = type
        object = members.object
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
