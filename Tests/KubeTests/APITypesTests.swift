import Foundation
import Testing
import YAML

@testable import Kube

@Suite struct TimeTests {
    @Test(arguments: [
        ("2026-05-01T10:00:00Z", "2026-05-01T10:00:00.000000Z"),
        ("2026-05-01T10:00:00.5Z", "2026-05-01T10:00:00.500000Z"),
        ("2026-05-01T10:00:00.123456789Z", "2026-05-01T10:00:00.123456Z"),
        ("2026-05-01T12:00:00.000001+02:00", "2026-05-01T10:00:00.000001Z"),
        ("1969-12-31T23:59:59.999999Z", "1969-12-31T23:59:59.999999Z"),
        ("2000-02-29T00:00:00-00:30", "2000-02-29T00:30:00.000000Z"),
    ])
    func microTimeAlwaysWritesSixFractionalDigits(input: String, expected: String) throws {
        let time = try #require(MicroTime(rfc3339: input))
        #expect(time.description == expected)
        let encoded = String(decoding: try JSONEncoder().encode([time]), as: UTF8.self)
        #expect(encoded == "[\"\(expected)\"]")
        #expect(try JSONDecoder().decode([MicroTime].self, from: Data(encoded.utf8)) == [time])
    }

    @Test func timeDropsSubSecondPrecisionLikeTheAPIServer() throws {
        let time = try #require(Time(rfc3339: "2026-05-01T10:00:00.999Z"))
        #expect(time.description == "2026-05-01T10:00:00Z")
        #expect(Time(rfc3339: "1969-12-31T23:59:59.5Z")?.description == "1969-12-31T23:59:59Z")
    }

    @Test func timeMatchesFoundationDates() {
        let date = Date(timeIntervalSince1970: 1_780_000_000.25)
        #expect(Time(date).secondsSinceEpoch == 1_780_000_000)
        #expect(MicroTime(date).microsecondsSinceEpoch == 1_780_000_000_250_000)
        #expect(Time(date).description == "2026-05-28T20:26:40Z")
    }

    @Test(arguments: ["", "2026-05-01", "2026-05-01T10:00:00", "2026-13-01T10:00:00Z", "2026-05-01T10:00:00.Z",
        "2026-05-01T10:00:00Zjunk", "2026-05-01T25:00:00Z"])
    func malformedTimestampsAreRejected(text: String) {
        #expect(Time(rfc3339: text) == nil)
        #expect(MicroTime(rfc3339: text) == nil)
    }
}

@Suite struct ConditionTests {
    func set(_ conditions: inout [Condition], _ condition: Condition, now: Time) -> Bool {
        conditions.setStatusCondition(condition, now: now)
    }

    let t0 = Time(secondsSinceEpoch: 1000)
    let t1 = Time(secondsSinceEpoch: 2000)

    @Test func transitionTimeMovesOnlyWhenStatusChanges() {
        var conditions: [Condition] = []
        #expect(set(&conditions, Condition(type: "Ready", status: .false, observedGeneration: 1, lastTransitionTime: t0, reason: "Pending"), now: t0))
        // Same status, new reason and generation: updated in place, transition time kept.
        #expect(set(&conditions, Condition(type: "Ready", status: .false, observedGeneration: 2, lastTransitionTime: t1, reason: "Waiting"), now: t1))
        #expect(conditions[0].lastTransitionTime == t0)
        #expect(conditions[0].reason == "Waiting")
        #expect(conditions[0].observedGeneration == 2)
        // Status flips: the transition time moves.
        #expect(set(&conditions, Condition(type: "Ready", status: .true, observedGeneration: 2, lastTransitionTime: t1, reason: "Ok"), now: t1))
        #expect(conditions[0].lastTransitionTime == t1)
        #expect(conditions.count == 1)
    }

    @Test func identicalConditionReportsNoChange() {
        var conditions = [Condition(type: "Ready", status: .true, lastTransitionTime: t0, reason: "Ok")]
        let changed = conditions.setStatusCondition(
            Condition(type: "Ready", status: .true, lastTransitionTime: t1, reason: "Ok"), now: t1)
        #expect(!changed)
        #expect(conditions[0].lastTransitionTime == t0)
        #expect(conditions.isTrue("Ready"))
        let removed = conditions.removeStatusCondition(type: "Ready")
        #expect(removed)
        #expect(conditions.isEmpty)
    }

    @Test func zeroTransitionTimeTakesNow() {
        var conditions: [Condition] = []
        conditions.setStatusCondition(
            Condition(type: "A", status: .unknown, lastTransitionTime: Time(secondsSinceEpoch: 0), reason: "R"), now: t1)
        #expect(conditions[0].lastTransitionTime == t1)
    }
}

@Suite struct APIObjectCodingTests {
    @Test func leaseEncodesMicroTimes() throws {
        let lease = Lease(
            metadata: ObjectMeta(name: "elevator", namespace: "system"),
            spec: .init(
                holderIdentity: "pod-a", leaseDurationSeconds: 15,
                renewTime: MicroTime(microsecondsSinceEpoch: 1_780_000_000_000_000)))
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let json = String(decoding: try encoder.encode(lease), as: UTF8.self)
        #expect(json.contains("\"renewTime\":\"2026-05-28T20:26:40.000000Z\""))
        #expect(json.contains("\"apiVersion\":\"coordination.k8s.io\\/v1\""))
        let back = try JSONDecoder().decode(Lease.self, from: Data(json.utf8))
        #expect(back == lease)
    }

    @Test func listItemsWithoutKindDecode() throws {
        let json = """
            {"kind":"LeaseList","apiVersion":"coordination.k8s.io/v1","metadata":{"resourceVersion":"42","continue":"abc"},
             "items":[{"metadata":{"name":"a","uid":"u1","creationTimestamp":"2026-01-01T00:00:00Z"},"spec":{"holderIdentity":"x"}}]}
            """
        let list = try JSONDecoder().decode(ObjectList<Lease>.self, from: Data(json.utf8))
        #expect(list.metadata.resourceVersion == "42")
        #expect(list.metadata.continue == "abc")
        #expect(list.items.first?.spec?.holderIdentity == "x")
        #expect(list.items.first?.metadata.creationTimestamp == Time(rfc3339: "2026-01-01T00:00:00Z"))
        let empty = try JSONDecoder().decode(ObjectList<JSONValue>.self, from: Data(#"{"items":null}"#.utf8))
        #expect(empty.items.isEmpty)
    }

    @Test func statusCarriesCauses() throws {
        let json = """
            {"kind":"Status","apiVersion":"v1","status":"Failure","message":"bad","reason":"Invalid","code":422,
             "details":{"name":"x","kind":"Lease","causes":[{"reason":"FieldValueInvalid","message":"must be positive","field":"spec.leaseDurationSeconds"}]}}
            """
        let status = try JSONDecoder().decode(Status.self, from: Data(json.utf8))
        #expect(status.code == 422)
        #expect(status.details?.causes?.first?.field == "spec.leaseDurationSeconds")
    }

    @Test func resourceTypePaths() {
        #expect(Lease.resourceType.groupVersionPath == "/apis/coordination.k8s.io/v1")
        let pods = ResourceType(group: "", version: "v1", plural: "pods", kind: "Pod", namespaced: true)
        #expect(pods.groupVersionPath == "/api/v1")
        #expect(pods.apiVersion == "v1")
        #expect(Event.resourceType.apiVersion == "events.k8s.io/v1")
    }
}
