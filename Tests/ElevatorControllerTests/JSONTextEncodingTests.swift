import Elevation
import Foundation
import Kube
import Testing
import YAML
import TestSupport

/// The types that write their own JSON text (`JSONTextEncodable`: a request's status and spec,
/// an Event) must write what their `Codable` conformance gives through `JSONValueEncoder` and
/// `JSONWriter`, the path every other type takes: byte for byte, for random values and for one
/// with every field set (so a field added to a type but not to its writer fails here).
@Suite struct JSONTextEncodingTests {
    /// The text of `value` by its own writer and through `Codable`.
    static func texts<T: JSONTextEncodable>(_ value: T) throws -> (written: String, coded: String) {
        let written = try JSONValueEncoder().encodeJSON(value)
        let coded = JSONWriter.encode(try JSONValueEncoder().encode(value))
        return (String(decoding: written, as: UTF8.self), String(decoding: coded, as: UTF8.self))
    }

    /// The paths of optionals that are nil and of collections that are empty in `value`.
    static func unsetFields(of value: Any, path: String = "") -> [String] {
        let mirror = Mirror(reflecting: value)
        if mirror.displayStyle == .optional {
            guard let wrapped = mirror.children.first?.value else { return [path] }
            return unsetFields(of: wrapped, path: path)
        }
        if mirror.displayStyle == .collection || mirror.displayStyle == .dictionary {
            if mirror.children.isEmpty { return [path] }
            return mirror.children.enumerated().flatMap { unsetFields(of: $1.value, path: "\(path)[\($0)]") }
        }
        guard mirror.displayStyle == .struct else { return [] }
        return mirror.children.flatMap { unsetFields(of: $0.value, path: path + "." + ($0.label ?? "?")) }
    }

    static let text = ["", "Valid", "é\"\\\n\t\u{1}/日本💡", "the request lies within ElevationPolicy load", "a b"]

    static func randomText(_ random: inout SeededRandom) -> String { text.randomElement(using: &random) ?? "" }

    static func maybe<T>(_ random: inout SeededRandom, _ make: (inout SeededRandom) -> T) -> T? {
        Bool.random(using: &random) ? make(&random) : nil
    }

    static func date(_ random: inout SeededRandom) -> Date {
        Date(timeIntervalSince1970: Double(Int.random(in: 0...4_000_000_000, using: &random)) + Double(Int.random(in: 0...999, using: &random)) / 1000)
    }

    static func status(_ random: inout SeededRandom) -> ElevationRequestStatus {
        var status = ElevationRequestStatus()
        status.phase = maybe(&random) { RequestPhase.allCases.randomElement(using: &$0) ?? .pending }
        status.observedGeneration = maybe(&random) { Int64.random(in: Int64.min...Int64.max, using: &$0) }
        status.approvals = maybe(&random) { random in
            (0..<Int.random(in: 0...2, using: &random)).map { _ in
                ApprovalRecord(
                    approver: randomText(&random), stage: randomText(&random), decision: Bool.random(using: &random) ? .approve : .deny,
                    at: maybe(&random, date))
            }
        }
        status.grantedAt = maybe(&random, date)
        status.expiresAt = maybe(&random, date)
        status.grant = maybe(&random) { random in
            (0..<Int.random(in: 0...2, using: &random)).map { _ in
                Elevation.ObjectReference(apiVersion: randomText(&random), kind: randomText(&random), name: randomText(&random))
            }
        }
        status.specHash = maybe(&random, randomText)
        status.conditions = maybe(&random) { random in
            (0..<Int.random(in: 0...3, using: &random)).map { _ in
                Condition(
                    type: randomText(&random), status: [.true, .false, .unknown].randomElement(using: &random) ?? .true,
                    reason: randomText(&random), message: randomText(&random),
                    observedGeneration: maybe(&random) { Int64.random(in: 0...9, using: &$0) }, lastTransitionTime: date(&random))
            }
        }
        return status
    }

    static func spec(_ random: inout SeededRandom) -> ElevationRequestSpec {
        func strings(_ random: inout SeededRandom) -> [String] { (0..<Int.random(in: 0...3, using: &random)).map { _ in randomText(&random) } }
        return ElevationRequestSpec(
            policy: randomText(&random),
            requester: Identity(user: randomText(&random), groups: maybe(&random, strings)),
            subject: Subject(
                serviceAccount: maybe(&random) { ServiceAccountRef(namespace: randomText(&$0), name: randomText(&$0)) },
                requestPrincipal: maybe(&random, randomText)),
            rules: maybe(&random) { random in
                (0..<Int.random(in: 0...2, using: &random)).map { _ in
                    AccessRule(ports: maybe(&random, strings), methods: maybe(&random, strings), paths: maybe(&random, strings))
                }
            },
            duration: maybe(&random, randomText), reason: maybe(&random, randomText), breakGlass: maybe(&random) { Bool.random(using: &$0) },
            extends: maybe(&random, randomText), revoked: maybe(&random) { Bool.random(using: &$0) })
    }

    static func reference(_ random: inout SeededRandom) -> Kube.ObjectReference {
        Kube.ObjectReference(
            apiVersion: maybe(&random, randomText), kind: maybe(&random, randomText), name: maybe(&random, randomText),
            namespace: maybe(&random, randomText), uid: maybe(&random, randomText), resourceVersion: maybe(&random, randomText),
            fieldPath: maybe(&random, randomText))
    }

    static func event(_ random: inout SeededRandom) -> Event {
        var metadata = Kube.ObjectMeta(
            name: maybe(&random, randomText), namespace: maybe(&random, randomText),
            labels: maybe(&random) { random in Dictionary(uniqueKeysWithValues: text.shuffled(using: &random).prefix(3).map { ($0, randomText(&random)) }) },
            annotations: maybe(&random) { [randomText(&$0): randomText(&$0)] })
        metadata.uid = maybe(&random, randomText)
        metadata.generation = maybe(&random) { Int64.random(in: 0...9, using: &$0) }
        metadata.finalizers = maybe(&random) { [randomText(&$0)] }
        metadata.creationTimestamp = maybe(&random) { Time(secondsSinceEpoch: Int64.random(in: 0...4_000_000_000, using: &$0)) }
        metadata.ownerReferences = maybe(&random) {
            [OwnerReference(apiVersion: randomText(&$0), kind: randomText(&$0), name: randomText(&$0), uid: randomText(&$0), controller: true)]
        }
        let time = MicroTime(microsecondsSinceEpoch: Int64.random(in: 0...4_000_000_000_000_000, using: &random))
        return Event(
            metadata: metadata, eventTime: time,
            series: maybe(&random) { Event.Series(count: Int32.random(in: 1...99, using: &$0), lastObservedTime: time) },
            reportingController: maybe(&random, randomText), reportingInstance: maybe(&random, randomText),
            action: maybe(&random, randomText), reason: maybe(&random, randomText), regarding: maybe(&random, reference),
            related: maybe(&random, reference), note: maybe(&random, randomText), type: maybe(&random, randomText))
    }

    @Test func aRequestsStatusAndSpecWriteWhatCodableWrites() throws {
        var random = SeededRandom(seed: 11)
        for number in 0..<400 {
            let status = try Self.texts(Self.status(&random))
            #expect(status.written == status.coded, "status \(number)")
            let spec = try Self.texts(Self.spec(&random))
            #expect(spec.written == spec.coded, "spec \(number)")
        }
    }

    @Test func anEventWritesWhatCodableWrites() throws {
        var random = SeededRandom(seed: 12)
        for number in 0..<400 {
            let event = try Self.texts(Self.event(&random))
            #expect(event.written == event.coded, "event \(number)")
        }
    }

    /// One value of each writer with every field set: a field its writer leaves out shows here.
    @Test func everyFieldIsWritten() throws {
        let at = Date(timeIntervalSince1970: 1_795_000_000.25)
        var status = ElevationRequestStatus()
        status.phase = .active
        status.observedGeneration = 2
        status.approvals = [ApprovalRecord(approver: "bob", stage: "owners", decision: .approve, at: at)]
        status.grantedAt = at
        status.expiresAt = at
        status.grant = [Elevation.ObjectReference(apiVersion: "security.istio.io/v1", kind: "AuthorizationPolicy", name: "elevator-r0")]
        status.specHash = "sha256:00"
        status.conditions = [Condition(type: "Granted", status: .true, reason: "Granted", message: "m", observedGeneration: 2, lastTransitionTime: at)]
        let spec = ElevationRequestSpec(
            policy: "load", requester: Identity(user: "alice", groups: ["sre"]),
            subject: Subject(serviceAccount: ServiceAccountRef(namespace: "tools", name: "debugger"), requestPrincipal: "p"),
            rules: [AccessRule(ports: ["8080"], methods: ["GET"], paths: ["/admin"])], duration: "9m", reason: "INC-1",
            breakGlass: true, extends: "r0", revoked: false)
        var metadata = Kube.ObjectMeta(name: "n", namespace: "ns", labels: ["a": "b"], annotations: ["c": "d"])
        metadata.generateName = "g"
        metadata.uid = "u"
        metadata.resourceVersion = "1"
        metadata.generation = 1
        metadata.creationTimestamp = Time(secondsSinceEpoch: 1_795_000_000)
        metadata.deletionTimestamp = Time(secondsSinceEpoch: 1_795_000_001)
        metadata.deletionGracePeriodSeconds = 30
        metadata.ownerReferences = [
            OwnerReference(apiVersion: "v1", kind: "Pod", name: "p", uid: "u", controller: true, blockOwnerDeletion: true)
        ]
        metadata.finalizers = ["f"]
        metadata.managedFields = try JSONDecoder().decode([ManagedFieldsEntry].self, from: Data(#"""
            [{"apiVersion": "v1", "fieldsType": "FieldsV1", "fieldsV1": {"f:metadata": {}}, "manager": "m", "operation": "Apply", "subresource": "status", "time": "2026-11-19T10:00:00Z"}]
            """#.utf8))
        let reference = Kube.ObjectReference(
            apiVersion: "v1", kind: "Pod", name: "p", namespace: "ns", uid: "u", resourceVersion: "1", fieldPath: "spec")
        let time = MicroTime(microsecondsSinceEpoch: 1_795_000_000_123_456)
        let event = Event(
            metadata: metadata, eventTime: time, series: Event.Series(count: 2, lastObservedTime: time), reportingController: "c",
            reportingInstance: "i", action: "a", reason: "r", regarding: reference, related: reference, note: "n", type: "Normal")
        #expect(Self.unsetFields(of: status).isEmpty, "status fields left unset: \(Self.unsetFields(of: status))")
        #expect(Self.unsetFields(of: spec).isEmpty, "spec fields left unset: \(Self.unsetFields(of: spec))")
        #expect(Self.unsetFields(of: event).isEmpty, "Event fields left unset: \(Self.unsetFields(of: event))")
        for (written, coded) in [try Self.texts(status), try Self.texts(spec), try Self.texts(event)] {
            #expect(written == coded)
        }
    }
}

