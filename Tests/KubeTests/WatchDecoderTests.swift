import Foundation
import Synchronization
import Testing
import YAML

@testable import Kube

@Suite struct WatchDecoderTests {
    static let stream = [
        #"{"type":"ADDED","object":{"apiVersion":"coordination.k8s.io/v1","kind":"Lease","metadata":{"name":"a","resourceVersion":"10"},"spec":{"holderIdentity":"ünïcode ✓"}}}"#,
        #"{"type":"MODIFIED","object":{"metadata":{"name":"a","resourceVersion":"11"},"spec":{"holderIdentity":"b"}}}"#,
        #"{"type":"BOOKMARK","object":{"kind":"Lease","apiVersion":"coordination.k8s.io/v1","metadata":{"resourceVersion":"12","annotations":{"k8s.io/initial-events-end":"true"}}}}"#,
        #"{"type":"DELETED","object":{"metadata":{"name":"a","resourceVersion":"13"}}}"#,
        #"{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","status":"Failure","message":"too old resource version: 5 (13)","reason":"Expired","code":410}}"#,
    ].joined(separator: "\n") + "\n"

    static func describe(_ events: [WatchEvent<Lease>]) -> [String] {
        events.map { event in
            switch event {
            case .added(let lease): "ADDED \(lease.metadata.resourceVersion ?? "") \(lease.spec?.holderIdentity ?? "")"
            case .modified(let lease): "MODIFIED \(lease.metadata.resourceVersion ?? "")"
            case .deleted(let lease): "DELETED \(lease.metadata.resourceVersion ?? "")"
            case .bookmark(let version, let annotations): "BOOKMARK \(version) \(annotations.count)"
            case .error(let status): "ERROR \(status.code ?? 0) \(status.reason ?? "")"
            }
        }
    }

    static let expected = ["ADDED 10 ünïcode ✓", "MODIFIED 11", "BOOKMARK 12 1", "DELETED 13", "ERROR 410 Expired"]

    @Test func wholeStreamAtOnce() throws {
        var decoder = WatchDecoder<Lease>()
        var events = try decoder.push(Array(Self.stream.utf8))
        events += try decoder.finish()
        #expect(Self.describe(events) == Self.expected)
        #expect(events[2].isInitialEventsEnd)
    }

    @Test func splitAtEveryByteOffset() throws {
        let bytes = Array(Self.stream.utf8)
        for split in 0...bytes.count {
            var decoder = WatchDecoder<Lease>()
            var events = try decoder.push(bytes[..<split])
            events += try decoder.push(bytes[split...])
            events += try decoder.finish()
            #expect(Self.describe(events) == Self.expected, "split at \(split)")
        }
    }

    @Test func splitIntoThreeAtManyOffsets() throws {
        let bytes = Array(Self.stream.utf8)
        for first in stride(from: 0, through: bytes.count, by: 7) {
            for second in stride(from: first, through: bytes.count, by: 13) {
                var decoder = WatchDecoder<Lease>()
                var events = try decoder.push(bytes[..<first])
                events += try decoder.push(bytes[first..<second])
                events += try decoder.push(bytes[second...])
                #expect(Self.describe(events) == Self.expected, "split at \(first), \(second)")
            }
        }
    }

    @Test func oneByteAtATime() throws {
        var decoder = WatchDecoder<Lease>()
        var events: [WatchEvent<Lease>] = []
        for byte in Self.stream.utf8 { events += try decoder.push([byte]) }
        #expect(Self.describe(events) == Self.expected)
    }

    @Test func partialLineWaitsAndFinalLineWithoutNewlineIsKept() throws {
        var decoder = WatchDecoder<Lease>()
        let line = #"{"type":"DELETED","object":{"metadata":{"name":"a","resourceVersion":"13"}}}"#
        #expect(try decoder.push(Array(line.utf8.dropLast(3))).isEmpty)
        #expect(try decoder.push(Array(line.utf8.suffix(3))).isEmpty)
        #expect(Self.describe(try decoder.finish()) == ["DELETED 13"])
    }

    @Test func crlfAndBlankLinesAreTolerated() throws {
        var decoder = WatchDecoder<JSONValue>()
        let events = try decoder.push(Array("\r\n{\"type\":\"ADDED\",\"object\":{\"a\":1}}\r\n\n".utf8))
        #expect(events.count == 1)
        #expect(events.first?.object?["a"] == .int(1))
    }

    @Test func largeObjectsSpanningManyChunks() throws {
        let big = String(repeating: "x", count: 300_000)
        let line = #"{"type":"ADDED","object":{"metadata":{"name":"big","resourceVersion":"1"},"spec":{"holderIdentity":"\#(big)"}}}"# + "\n"
        var decoder = WatchDecoder<Lease>()
        var events: [WatchEvent<Lease>] = []
        let bytes = Array(line.utf8)
        for start in stride(from: 0, to: bytes.count, by: 16_384) {
            events += try decoder.push(bytes[start..<min(start + 16_384, bytes.count)])
        }
        #expect(events.count == 1)
        #expect(events.first?.object?.spec?.holderIdentity?.count == 300_000)
    }

    /// A MODIFIED event at exactly a version `known` holds is taken from it, not decoded; every
    /// other event (another version, another object, ADDED, DELETED) is decoded as before.
    @Test func modifiedEventsAtAKnownVersionAreTakenFromKnown() throws {
        let written = WrittenObjects<Lease>()
        var held = ObjectMeta(name: "a", namespace: "ns")
        held.resourceVersion = "11"
        written.remember(Lease(metadata: held, spec: .init(holderIdentity: "held here")))
        let asked = Mutex<[String]>([])
        var decoder = WatchDecoder<Lease>(known: { namespace, name, version in
            asked.withLock { $0.append("\(namespace ?? "")/\(name)@\(version)") }
            return written.object(namespace: namespace, name: name, resourceVersion: version)
        })
        let lines = [
            #"{"type":"ADDED","object":{"metadata":{"name":"a","namespace":"ns","resourceVersion":"11"},"spec":{"holderIdentity":"wire"}}}"#,
            #"{"type":"MODIFIED","object":{"metadata":{"name":"a","namespace":"ns","resourceVersion":"11"},"spec":{"holderIdentity":"wire"}}}"#,
            #"{"type":"MODIFIED","object":{"metadata":{"name":"a","namespace":"ns","resourceVersion":"12"},"spec":{"holderIdentity":"wire"}}}"#,
            #"{"type":"MODIFIED","object":{"metadata":{"name":"a","namespace":"other","resourceVersion":"11"},"spec":{"holderIdentity":"wire"}}}"#,
            #"{"type":"DELETED","object":{"metadata":{"name":"a","namespace":"ns","resourceVersion":"11"},"spec":{"holderIdentity":"wire"}}}"#,
        ]
        let events = try decoder.push(Array((lines.joined(separator: "\n") + "\n").utf8))
        #expect(events.map { $0.object?.spec?.holderIdentity } == ["wire", "held here", "wire", "wire", "wire"])
        #expect(asked.withLock { $0 } == ["ns/a@11", "ns/a@12", "other/a@11"])
    }

    /// The echo is found from a skim of the line: its names wherever they stand (metadata after a
    /// large spec, spaces, escapes), no namespace for a cluster-scoped object.
    @Test func anEchoIsFoundByItsNamesWhereverTheyStandInTheLine() throws {
        let asked = Mutex<[String]>([])
        var decoder = WatchDecoder<Lease>(known: { namespace, name, version in
            asked.withLock { $0.append("\(namespace ?? "-")/\(name)@\(version)") }
            return Lease(metadata: ObjectMeta(name: "held"), spec: .init(holderIdentity: "held here"))
        })
        let fields = String(repeating: #"{"f:x":{"f:y":{}},"k":"}{][\""},"#, count: 50)
        let lines = [
            #"{"object":{"spec":{"holderIdentity":"wire","m":["# + fields + #"{}]},"metadata":{"resourceVersion":"7","name":"a","namespace":"ns"}},"type":"MODIFIED"}"#,
            #"{ "type" : "MODIFIED" , "object" : { "metadata" : { "name" : "b\u0031" , "resourceVersion" : "8" } } }"#,
        ]
        let events = try decoder.push(Array((lines.joined(separator: "\n") + "\n").utf8))
        #expect(events.map { $0.object?.spec?.holderIdentity } == ["held here", "held here"])
        #expect(asked.withLock { $0 } == ["ns/a@7", "-/b1@8"])
    }

    /// A `WatchSkimmable` type is read from a skim of each ADDED, MODIFIED and DELETED line;
    /// BOOKMARK and ERROR events, and a line the skim cannot read, are decoded whole.
    @Test func aSkimmableTypeIsReadFromASkimOfEachLine() throws {
        var decoder = WatchDecoder<SkimmedLease>(skimmed: SkimmedLease.skimmedEvent, known: nil)
        let lines = [
            #"{"type":"ADDED","object":{"metadata":{"name":"a","resourceVersion":"1"},"spec":{"holderIdentity":"x"}}}"#,
            #"{"type":"MODIFIED","object":{"spec":{"holderIdentity":"y"},"metadata":{"name":"a","resourceVersion":"2"}}}"#,
            #"{"type":"DELETED","object":{"metadata":{"name":"a","resourceVersion":"3"}}}"#,
            #"{"type":"MODIFIED","object":{"metadata":{"n\u0061me":"a","resourceVersion":"4"},"spec":{"holderIdentity":"z"}}}"#,
            #"{"type":"BOOKMARK","object":{"metadata":{"resourceVersion":"5"}}}"#,
            #"{"type":"ERROR","object":{"kind":"Status","code":410,"reason":"Expired","message":"too old"}}"#,
        ]
        let events = try decoder.push(Array((lines.joined(separator: "\n") + "\n").utf8))
        #expect(events.count == 6)
        guard events.count == 6 else { return }
        let kinds = events.map { event -> String in
            switch event {
            case .added: "ADDED"
            case .modified: "MODIFIED"
            case .deleted: "DELETED"
            case .bookmark: "BOOKMARK"
            case .error: "ERROR"
            }
        }
        #expect(kinds == ["ADDED", "MODIFIED", "DELETED", "MODIFIED", "BOOKMARK", "ERROR"])
        #expect(events.prefix(4).map(\.object) == [
            SkimmedLease(name: "a", version: "1", holder: "x", skimmed: true),
            SkimmedLease(name: "a", version: "2", holder: "y", skimmed: true),
            SkimmedLease(name: "a", version: "3", holder: nil, skimmed: true),
            SkimmedLease(name: "a", version: "4", holder: "z", skimmed: false),
        ])
        if case .bookmark(let version, _) = events[4] { #expect(version == "5") } else { Issue.record("not a bookmark: \(events[4])") }
        if case .error(let status) = events[5] { #expect(status.code == 410) } else { Issue.record("not an error: \(events[5])") }
    }

    @Test func aBrokenLineIsStillAnErrorWithKnownObjects() {
        var decoder = WatchDecoder<Lease>(known: { _, _, _ in nil })
        #expect(throws: KubeError.self) { try decoder.push(Array("not json\n".utf8)) }
        var other = WatchDecoder<Lease>(known: { _, _, _ in nil })
        #expect(throws: KubeError.decoding("unknown watch event type 'SURPRISE'")) {
            try other.push(Array(#"{"type":"SURPRISE","object":{}}"#.utf8 + [10]))
        }
    }

    @Test func writtenObjectsKeepTheNewestWriteOfEachObject() {
        let written = WrittenObjects<Lease>()
        var first = ObjectMeta(name: "a", namespace: "ns")
        first.resourceVersion = "1"
        written.remember(Lease(metadata: first, spec: nil))
        var second = first
        second.resourceVersion = "2"
        written.remember(Lease(metadata: second, spec: nil))
        #expect(written.count == 1)
        #expect(written.latest("ns/a")?.metadata.resourceVersion == "2")
        #expect(written.object(namespace: "ns", name: "a", resourceVersion: "1") == nil)
        #expect(written.object(namespace: "ns", name: "a", resourceVersion: "2") != nil)
        written.forget("ns/a")
        #expect(written.count == 0)
    }

    @Test func garbageAndUnknownTypesAreDecodingErrors() {
        var decoder = WatchDecoder<Lease>()
        #expect(throws: KubeError.self) { try decoder.push(Array("not json\n".utf8)) }
        var other = WatchDecoder<Lease>()
        #expect(throws: KubeError.decoding("unknown watch event type 'SURPRISE'")) {
            try other.push(Array(#"{"type":"SURPRISE","object":{}}"#.utf8 + [10]))
        }
    }
}

/// A lease read from a skim of its watch line, or (`skimmed` false) through `Decodable`.
struct SkimmedLease: WatchSkimmable, Equatable {
    var name: String?
    var version: String?
    var holder: String?
    var skimmed: Bool

    static let skimmedPaths = [["metadata", "name"], ["metadata", "resourceVersion"], ["spec", "holderIdentity"]]

    init(name: String?, version: String?, holder: String?, skimmed: Bool) {
        self.name = name
        self.version = version
        self.holder = holder
        self.skimmed = skimmed
    }

    init(skimmed: [String?]) { self.init(name: skimmed[0], version: skimmed[1], holder: skimmed[2], skimmed: true) }

    init(from decoder: any Decoder) throws {
        let lease = try Lease(from: decoder)
        self.init(name: lease.metadata.name, version: lease.metadata.resourceVersion, holder: lease.spec?.holderIdentity, skimmed: false)
    }
}
