import Foundation
import Testing

@testable import Kube
import TestSupport

@Suite struct KubeErrorTests {
    static func status(_ code: Int, _ reason: String, _ message: String = "m", extra: String = "") -> Data {
        Data(#"{"kind":"Status","apiVersion":"v1","status":"Failure","code":\#(code),"reason":"\#(reason)","message":"\#(message)"\#(extra)}"#.utf8)
    }

    @Test(arguments: [
        (404, "NotFound", KubeError.notFound("m")),
        (409, "AlreadyExists", .alreadyExists("m")),
        (409, "Conflict", .conflict("m")),
        (410, "Expired", .gone("m")),
        (410, "Gone", .gone("m")),
        (401, "Unauthorized", .unauthorized("m")),
        (403, "Forbidden", .forbidden("m")),
        (400, "BadRequest", .badRequest(code: 400, "m")),
        (500, "InternalError", .server(code: 500, retryAfter: nil, "m")),
        (503, "ServiceUnavailable", .server(code: 503, retryAfter: nil, "m")),
    ])
    func statusBodiesMapToTypedErrors(code: Int, reason: String, expected: KubeError) {
        let error = KubeError(code: code, body: Self.status(code, reason))
        #expect(error == expected)
        #expect(error.code == code)
    }

    @Test func invalidCarriesFieldCauses() {
        let body = Self.status(422, "Invalid", "Widget \\\"w\\\" is invalid", extra: #","details":{"causes":[{"reason":"FieldValueInvalid","message":"must be > 0","field":"spec.replicas"}]}"#)
        let error = KubeError(code: 422, body: body)
        guard case .invalid(let message, let causes) = error else {
            Issue.record("expected invalid, got \(error)")
            return
        }
        #expect(message == "Widget \"w\" is invalid")
        #expect(causes == [StatusCause(reason: "FieldValueInvalid", message: "must be > 0", field: "spec.replicas")])
        #expect(error.description.contains("spec.replicas: must be > 0"))
    }

    @Test func tooManyRequestsReadsRetryAfterHeaderThenDetails() {
        let fromHeader = KubeError(code: 429, body: Self.status(429, "TooManyRequests"), retryAfterHeader: " 7 ")
        #expect(fromHeader.retryAfter == .seconds(7))
        let fromDetails = KubeError(code: 429, body: Self.status(429, "TooManyRequests", extra: #","details":{"retryAfterSeconds":3}"#))
        #expect(fromDetails.retryAfter == .seconds(3))
        #expect(KubeError(code: 429, body: Data()).retryAfter == nil)
        #expect(KubeError(code: 503, body: Data(), retryAfterHeader: "2").retryAfter == .seconds(2))
    }

    @Test func foreignBodiesAreCutToAnExcerpt() {
        let html = Data(("<html>" + String(repeating: "x", count: 5000) + "</html>").utf8)
        let error = KubeError(code: 502, body: html)
        guard case .server(502, nil, let message) = error else {
            Issue.record("expected server error, got \(error)")
            return
        }
        #expect(message.count <= 201)
    }

    @Test func watchErrorStatusOf410MeansGone() {
        let error = KubeError(status: Status(message: "too old resource version: 1 (5)", reason: "Expired", code: 410))
        #expect(error == .gone("too old resource version: 1 (5)"))
        #expect(KubeError(status: Status(message: "x", reason: "Expired", code: 200)) == .gone("x"))
        #expect(KubeError(status: Status(message: "boom", reason: "InternalError", code: 500)) == .server(code: 500, retryAfter: nil, "boom"))
    }
}

@Suite struct RetryPolicyTests {
    let policy = RetryPolicy()
    let get = Endpoint(Lease.resourceType, namespace: "a").get("l")
    let create = Endpoint(Lease.resourceType, namespace: "a").create(Data("{}".utf8))

    @Test func retryAfterIsHonouredForIdempotentVerbs() {
        var random = SeededRandom(seed: 1)
        let error = KubeError.tooManyRequests(retryAfter: .seconds(5), "slow down")
        #expect(policy.delay(beforeRetry: 1, of: get, after: error, using: &random) == .seconds(5))
        #expect(policy.delay(beforeRetry: 1, of: get, after: .tooManyRequests(retryAfter: .seconds(600), ""), using: &random) == .seconds(30))
        #expect(policy.delay(beforeRetry: 1, of: get, after: .server(code: 503, retryAfter: .seconds(2), ""), using: &random) == .seconds(2))
    }

    @Test func createIsNeverRetried() {
        var random = SeededRandom(seed: 1)
        #expect(policy.delay(beforeRetry: 1, of: create, after: .tooManyRequests(retryAfter: .seconds(1), ""), using: &random) == nil)
        #expect(policy.delay(beforeRetry: 1, of: create, after: .transport("reset"), using: &random) == nil)
    }

    @Test(arguments: [KubeError.notFound(""), .conflict(""), .invalid("", causes: []), .unauthorized(""), .forbidden(""),
        .gone(""), .server(code: 501, retryAfter: nil, "")])
    func clientErrorsAreNotRetried(error: KubeError) {
        var random = SeededRandom(seed: 1)
        #expect(policy.delay(beforeRetry: 1, of: get, after: error, using: &random) == nil)
    }

    @Test func backoffGrowsExponentiallyWithJitterUpToTheCap() {
        var low = FixedRandom(value: 0)
        var high = FixedRandom(value: UInt64.max)
        let error = KubeError.server(code: 503, retryAfter: nil, "")
        let lows = (1...10).compactMap { policy.delay(beforeRetry: $0, of: get, after: error, using: &low) }
        #expect(lows.prefix(4) == [.milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(800)])
        #expect(lows.last == .seconds(15))
        for attempt in 1...10 {
            let delay = policy.delay(beforeRetry: attempt, of: get, after: error, using: &high)
            #expect(delay.map { $0 <= .seconds(30) && $0 >= .milliseconds(100) } == true)
        }
        #expect(policy.delay(beforeRetry: 11, of: get, after: error, using: &low) == nil)
        var random = SeededRandom(seed: 7)
        let spread = Set((0..<20).compactMap { _ in policy.delay(beforeRetry: 3, of: get, after: error, using: &random) })
        #expect(spread.count > 10)
        #expect(spread.allSatisfy { $0 >= .milliseconds(400) && $0 < .milliseconds(800) })
    }
}
