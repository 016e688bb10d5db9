import Foundation
import Testing
import YAML

@testable import Kube

@Suite(.serialized, .timeLimit(.minutes(1))) struct EventRecorderTests {
    let regarding = ObjectReference(
        apiVersion: "elevator.example.com/v1alpha1", kind: "ElevationRequest", name: "req-1", namespace: "team-a", uid: "u1")

    func storedEvents(_ server: TestHTTPServer, _ client: KubeClient) async throws -> [JSONValue] {
        let response = try await client.send(KubeRequest(method: .get, verb: .get, path: "/admin/events"))
        return try JSONDecoder().decode(JSONValue.self, from: response.body)["items"]?.arrayValue ?? []
    }

    @Test func repeatsBecomeASeriesAndDistinctEventsDoNot() async throws {
        let server = try TestHTTPServer()
        let client = KubeClient(configuration: ClientConfiguration(server: server.base))
        let clock = TestWallClock()
        let recorder = EventRecorder(
            client: client, reportingController: "elevator.example.com/controller", reportingInstance: "pod-1",
            now: { clock.now })
        let first = try await recorder.publish(regarding: regarding, type: .normal, reason: "Granted", action: "Grant", note: "granted for 1h")
        #expect(first.metadata.namespace == "team-a")
        #expect(first.metadata.name?.hasPrefix("req-1.") == true)
        clock.advance(10)
        _ = try await recorder.publish(regarding: regarding, type: .normal, reason: "Granted", action: "Grant", note: "again")
        clock.advance(10)
        let third = try await recorder.publish(regarding: regarding, type: .normal, reason: "Granted", action: "Grant")
        #expect(third.series?.count == 3)
        #expect(third.series?.lastObservedTime.description == "2026-05-28T20:27:00.000000Z")
        _ = try await recorder.publish(regarding: regarding, type: .warning, reason: "Expired", action: "Revoke")
        let events = try await storedEvents(server, client)
        #expect(events.count == 2)
        let granted = events.first { $0["reason"] == .string("Granted") }
        #expect(granted?["eventTime"] == .string("2026-05-28T20:26:40.000000Z"))
        #expect(granted?["reportingController"] == .string("elevator.example.com/controller"))
        #expect(granted?["series"]?["count"] == .int(3))
        #expect(client.apiCalls.snapshot[.create] == 2)
        #expect(client.apiCalls.snapshot[.patch] == 2)
    }

    @Test func afterTheSeriesWindowANewEventIsCreated() async throws {
        let server = try TestHTTPServer()
        let client = KubeClient(configuration: ClientConfiguration(server: server.base))
        let clock = TestWallClock()
        let recorder = EventRecorder(client: client, reportingController: "c", reportingInstance: "i", now: { clock.now })
        let cluster = ObjectReference(apiVersion: "v1", kind: "Node", name: "n1")
        let a = try await recorder.publish(regarding: cluster, type: .normal, reason: "R", action: "A")
        clock.advance(361)
        let b = try await recorder.publish(regarding: cluster, type: .normal, reason: "R", action: "A")
        #expect(a.metadata.namespace == "default")
        #expect(a.metadata.name != b.metadata.name)
        #expect(try await storedEvents(server, client).count == 2)
    }

    @Test func anEventPublishedOnceExistsOnceUnderItsKeyAcrossRecorders() async throws {
        let server = try TestHTTPServer()
        let client = KubeClient(configuration: ClientConfiguration(server: server.base))
        let clock = TestWallClock()
        let recorder = EventRecorder(client: client, reportingController: "c", reportingInstance: "i", now: { clock.now })
        #expect(try await recorder.publishOnce(regarding: regarding, type: .normal, reason: "Granted", action: "Granted", note: "until 10:00", key: "0123abcd"))
        clock.advance(1)
        // A retry in this process, and another process after a crash (a new recorder), both find it.
        #expect(try await !recorder.publishOnce(regarding: regarding, type: .normal, reason: "Granted", action: "Granted", note: "until 10:01", key: "0123abcd"))
        let restarted = EventRecorder(client: client, reportingController: "c", reportingInstance: "j", now: { clock.now })
        #expect(try await !restarted.publishOnce(regarding: regarding, type: .normal, reason: "Granted", action: "Granted", key: "0123abcd"))
        #expect(try await restarted.publishOnce(regarding: regarding, type: .normal, reason: "Expired", action: "Expired", key: "4567ef01"))
        let events = try await storedEvents(server, client)
        #expect(events.compactMap { $0["metadata"]?["name"]?.stringValue }.sorted() == ["req-1.0123abcd", "req-1.4567ef01"])
        #expect(events.first { $0["reason"] == .string("Granted") }?["note"] == .string("until 10:00"))
        #expect(events.allSatisfy { $0["series"] == nil })
    }

    @Test func aLongObjectNameIsCutSoTheEventNameStaysValid() async throws {
        let server = try TestHTTPServer()
        let client = KubeClient(configuration: ClientConfiguration(server: server.base))
        let recorder = EventRecorder(client: client, reportingController: "c", reportingInstance: "i")
        let long = ObjectReference(apiVersion: "v1", kind: "ConfigMap", name: String(repeating: "a", count: 234) + ".-b", namespace: "team-a")
        try await recorder.publishOnce(regarding: long, type: .normal, reason: "R", action: "A", key: "0123456789abcdef")
        let name = try #require(try await storedEvents(server, client).first?["metadata"]?["name"]?.stringValue)
        #expect(name.count <= 253)
        #expect(name.hasSuffix("a.0123456789abcdef"))
    }

    @Test func longNotesAreCutToOneKilobyte() {
        let note = String(repeating: "é", count: 2000)
        let cut = EventRecorder.limitNote(note)
        #expect(cut.utf8.count == 1024)
        #expect(EventRecorder.limitNote("short") == "short")
    }
}
