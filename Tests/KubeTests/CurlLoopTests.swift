import Foundation
import Testing
import YAML
import Logging
import ServiceLifecycle
import Synchronization
import CCurl
import CLinuxEvents

@testable import Kube

@Suite(.serialized, .timeLimit(.minutes(1))) struct CurlLoopTests {
    let server: TestHTTPServer
    let loop = CurlLoop()

    init() throws {
        server = try TestHTTPServer()
    }

    func json(_ data: Data) throws -> JSONValue { try JSONDecoder().decode(JSONValue.self, from: data) }

    @Test func getAndPostWithBodiesAndHeaders() async throws {
        let get = try await loop.perform(HTTPRequest(url: server.base + "/echo?a=1", headers: ["X-Test": "yes"]))
        #expect(get.status == 200)
        #expect(get.headers["content-type"] == "application/json")
        #expect(get.warnings == [#"299 - "deprecated thing""#])
        let echoed = try json(get.body)
        #expect(echoed["method"] == .string("GET"))
        #expect(echoed["query"]?["a"] == .string("1"))
        #expect(echoed["headers"]?["x-test"] == .string("yes"))
        // The request line carries the path and query as written, in origin form.
        #expect(echoed["target"] == .string("/echo?a=1"))
        #expect(echoed["headers"]?["accept-encoding"] == .string("gzip"))
        for method in ["POST", "PUT", "PATCH", "DELETE"] {
            let body = Data(#"{"hello":"wörld"}"#.utf8)
            let response = try await loop.perform(
                HTTPRequest(method: method, url: server.base + "/echo", headers: ["Content-Type": "application/json"], body: body))
            let echo = try json(response.body)
            #expect(echo["method"] == .string(method))
            #expect(echo["body"] == .string(#"{"hello":"wörld"}"#))
            #expect(echo["headers"]?["content-type"] == .string("application/json"))
        }
    }

    @Test func aURLSplitsIntoTheOriginAndTheTargetSentAsWritten() {
        #expect(CurlTransfer.originAndTarget(of: "https://10.0.0.1:6443/api/v1/pods?watch=1", proxied: false)
            == ("https://10.0.0.1:6443", "/api/v1/pods?watch=1"))
        #expect(CurlTransfer.originAndTarget(of: "https://[::1]:6443/prefix/api", proxied: false)
            == ("https://[::1]:6443", "/prefix/api"))
        #expect(CurlTransfer.originAndTarget(of: "http://host", proxied: false) == ("http://host", nil))
        #expect(CurlTransfer.originAndTarget(of: "http://host/a", proxied: true) == ("http://host/a", nil))
    }

    @Test func headerLinesAreCopiedIntoLibcurlsListAsWritten() {
        var list = CurlTransfer.appendHeader("Content-Type", "application/json", to: nil)
        list = CurlTransfer.appendHeader("X-Wört", "a: b ü", to: list)
        list = CurlTransfer.appendHeader("Empty", "", to: list)
        defer { curl_slist_free_all(list) }
        var lines: [String] = []
        var node = list
        while let current = node {
            lines.append(String(cString: current.pointee.data))
            node = current.pointee.next
        }
        #expect(lines == ["Content-Type: application/json", "X-Wört: a: b ü", "Empty: "])
    }

    @Test func chunkedStreamArrivesIncrementally() async throws {
        let start = ContinuousClock.now
        var arrivals: [Duration] = []
        var lines: [[UInt8]] = []
        var framer = LineFramer()
        var status = 0
        for try await part in loop.stream(HTTPRequest(url: server.base + "/stream?n=5&interval=0.2", timeout: nil)) {
            switch part {
            case .head(let head): status = head.status
            case .data(let bytes):
                let complete = framer.push(bytes)
                lines += complete
                if !complete.isEmpty { arrivals.append(start.duration(to: .now)) }
            }
        }
        #expect(status == 200)
        #expect(lines.count == 5)
        // The first line must arrive long before the last one is written (0.8 s later).
        #expect(arrivals.first.map { $0 < .milliseconds(500) } == true)
        #expect(arrivals.last.map { $0 >= .milliseconds(700) } == true)
    }

    @Test func cancellingAStreamStopsTheTransfer() async throws {
        let consumer = Task {
            var count = 0
            for try await part in loop.stream(HTTPRequest(url: server.base + "/forever", timeout: nil)) {
                if case .data = part { count += 1 }
            }
            return count
        }
        try await waitFor { try await self.openStreams() == 1 }
        consumer.cancel()
        _ = try? await consumer.value
        // The server notices the closed connection on its next write (every 50 ms).
        try await waitFor { try await self.openStreams() == 0 }
    }

    @Test func breakingOutOfAStreamStopsTheTransfer() async throws {
        var seen = 0
        for try await part in loop.stream(HTTPRequest(url: server.base + "/forever", timeout: nil)) {
            if case .data = part { seen += 1 }
            if seen == 3 { break }
        }
        try await waitFor { try await self.openStreams() == 0 }
    }

    @Test func cancellingAPendingRequestThrowsCancellation() async throws {
        let request = Task { try await loop.perform(HTTPRequest(url: server.base + "/slow?delay=5")) }
        try await Task.sleep(for: .milliseconds(100))
        let start = ContinuousClock.now
        request.cancel()
        await #expect(throws: CancellationError.self) { try await request.value }
        #expect(start.duration(to: .now) < .seconds(1))
    }

    @Test func hundredConcurrentRequestsShareOneLoop() async throws {
        let start = ContinuousClock.now
        let ids = try await withThrowingTaskGroup(of: String?.self) { group in
            for id in 0..<100 {
                group.addTask {
                    let response = try await loop.perform(HTTPRequest(url: server.base + "/slow?delay=0.3&id=\(id)"))
                    return try JSONDecoder().decode(JSONValue.self, from: response.body)["id"]?.stringValue
                }
            }
            return try await group.reduce(into: Set<String?>()) { $0.insert($1) }
        }
        #expect(ids.count == 100)
        // One after the other this would take 30 s.
        #expect(start.duration(to: .now) < .seconds(5))
    }

    /// The loop runs libcurl for the sockets that are ready (`CurlSockets`): with eight streams
    /// sending all along, as a controller's watches do, requests still go through one after the
    /// other, and every stream keeps receiving.
    @Test func requestsGoThroughWhileStreamsStayBusy() async throws {
        final class Counts: Sendable { let values = Mutex([Int](repeating: 0, count: 8)) }
        let received = Counts()
        let streams = (0..<8).map { index in
            Task {
                for try await part in loop.stream(HTTPRequest(url: server.base + "/forever", timeout: nil)) {
                    if case .data = part { received.values.withLock { $0[index] += 1 } }
                }
            }
        }
        try await waitFor { try await self.openStreams() == 8 }
        let before = received.values.withLock { $0 }
        for number in 0..<50 {
            let response = try await loop.perform(HTTPRequest(url: server.base + "/echo?n=\(number)"))
            #expect(try json(response.body)["query"]?["n"]?.stringValue == "\(number)")
        }
        try await waitFor { received.values.withLock { counts in zip(counts, before).allSatisfy { $0 > $1 } } }
        for stream in streams { stream.cancel() }
        try await waitFor { try await self.openStreams() == 0 }
    }

    /// epoll's readiness bits as libcurl's: a hang-up is read (libcurl then sees the end of the
    /// stream), an error is an error.
    @Test func epollReadinessMapsToLibcurlsSelectBits() {
        #expect(CurlSockets.selection(EPOLLIN.rawValue) == CURL_CSELECT_IN)
        #expect(CurlSockets.selection(EPOLLOUT.rawValue) == CURL_CSELECT_OUT)
        #expect(CurlSockets.selection(EPOLLIN.rawValue | EPOLLOUT.rawValue) == CURL_CSELECT_IN | CURL_CSELECT_OUT)
        #expect(CurlSockets.selection(EPOLLHUP.rawValue) == CURL_CSELECT_IN)
        #expect(CurlSockets.selection(EPOLLERR.rawValue | EPOLLHUP.rawValue) == CURL_CSELECT_IN | CURL_CSELECT_ERR)
        #expect(CurlSockets.selection(0) == 0)
    }

    @Test func anEndedTransfersHandleServesTheNextOne() async throws {
        for id in 0..<20 {
            let response = try await loop.perform(HTTPRequest(url: server.base + "/echo?id=\(id)"))
            #expect(try json(response.body)["query"]?["id"] == .string("\(id)"))
        }
        #expect(loop.handlesCreated == 1)
    }

    @Test func aReusedHandleCarriesNoOptionOfTheLastTransfer() async throws {
        // A request with a body, then one without on the same handle: without the reset libcurl
        // sends the first one's body again.
        let body = Data(#"{"a":1}"#.utf8)
        _ = try await loop.perform(HTTPRequest(method: "POST", url: server.base + "/echo", body: body))
        let get = try json(try await loop.perform(HTTPRequest(url: server.base + "/echo")).body)
        #expect(get["method"] == .string("GET"))
        #expect(get["body"] == .string(""))
        #expect(get["headers"]?["content-length"] == nil)
        #expect(loop.handlesCreated == 1)
    }

    @Test func refusedConnectionIsATransportError() async throws {
        let port = try freePort()
        let error = await #expect(throws: KubeError.self) {
            try await loop.perform(HTTPRequest(url: "http://127.0.0.1:\(port)/x", connectTimeout: .seconds(2)))
        }
        guard case .transport(let message) = error else {
            Issue.record("expected a transport error, got \(String(describing: error))")
            return
        }
        #expect(message.contains("GET http://127.0.0.1:\(port)/x"))
    }

    @Test func totalTimeoutEndsASlowRequest() async throws {
        let error = await #expect(throws: KubeError.self) {
            try await loop.perform(HTTPRequest(url: server.base + "/slow?delay=3", timeout: .milliseconds(300)))
        }
        #expect(error?.description.contains("curl error 28") == true)
    }

    @Test func shutdownFailsNewRequests() async throws {
        let other = CurlLoop()
        other.shutdown()
        try await Task.sleep(for: .milliseconds(50))
        await #expect(throws: KubeError.transport("the client is shut down")) {
            try await other.perform(HTTPRequest(url: server.base + "/echo"))
        }
    }

    func openStreams() async throws -> Int64 {
        let response = try await loop.perform(HTTPRequest(url: server.base + "/stats"))
        return try json(response.body)["openStreams"]?.intValue ?? -1
    }

    func waitFor(_ condition: @Sendable () async throws -> Bool) async throws {
        for _ in 0..<100 {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("condition not met within 5 s")
    }
}

/// A loopback port nobody listens on.
func freePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
    }
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    return Int(UInt16(bigEndian: address.sin_port))
}

@Suite(.timeLimit(.minutes(1))) struct CurlLoopServiceTests {
    @Test func gracefulShutdownOfTheServiceGroupStopsTheLoop() async throws {
        let loop = CurlLoop()
        let group = ServiceGroup(services: [loop], logger: Logger(label: "test"))
        let running = Task { try await group.run() }
        try await Task.sleep(for: .milliseconds(50))
        await group.triggerGracefulShutdown()
        try await running.value
        try await Task.sleep(for: .milliseconds(50))
        await #expect(throws: KubeError.transport("the client is shut down")) {
            try await loop.perform(HTTPRequest(url: "http://127.0.0.1:1/"))
        }
    }
}
