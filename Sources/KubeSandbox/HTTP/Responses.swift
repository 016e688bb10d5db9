import HTTPTypes
import Hummingbird
import YAML

/// Building HTTP responses from stored bytes and `Status` objects.
enum Responses {
    static let json = "application/json"
    static let warningHeader = HTTPField.Name("Warning")
    static let retryAfterHeader = HTTPField.Name("Retry-After")
    static let auditHeader = HTTPField.Name("Audit-Id")

    static func bytes(_ bytes: [UInt8], status: HTTPResponse.Status = .ok, contentType: String = json,
                      warnings: [String] = []) -> Response {
        var headers: HTTPFields = [.contentType: contentType]
        for warning in warnings {
            if let name = warningHeader {
                headers.append(HTTPField(name: name, value: "299 - \"\(warning.replacingOccurrences(of: "\"", with: "\\\""))\""))
            }
        }
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    static func value(_ value: JSONValue, status: HTTPResponse.Status = .ok, contentType: String = json) -> Response {
        bytes(JSONWriter.encode(value), status: status, contentType: contentType)
    }

    static func error(_ error: SandboxError) -> Response {
        var response = value(error.status, status: HTTPResponse.Status(code: error.code))
        if case .tooManyRequests(let seconds) = error, let name = retryAfterHeader {
            response.headers[name] = String(seconds)
        }
        if case .serviceUnavailable = error, let name = retryAfterHeader {
            response.headers[name] = "1"
        }
        return response
    }

    /// `{"apiVersion":...,"kind":"<Kind>List","metadata":{...},"items":[...]}` from cached item bytes.
    static func list(_ result: ListResult, type: ResourceType) -> Response {
        var out: [UInt8] = []
        out.reserveCapacity(128 + result.items.reduce(0) { $0 + $1.bytes.count + 1 })
        var metadata: [String: JSONValue] = ["resourceVersion": .string(String(result.resourceVersion))]
        if let token = result.continueToken { metadata["continue"] = .string(token) }
        if let remaining = result.remainingItemCount { metadata["remainingItemCount"] = .int(Int64(remaining)) }
        out.append(contentsOf: "{\"apiVersion\":\"\(type.apiVersion)\",\"kind\":\"\(type.kind)List\",\"metadata\":".utf8)
        JSONWriter.write(.object(metadata), into: &out)
        out.append(contentsOf: ",\"items\":[".utf8)
        for (position, item) in result.items.enumerated() {
            if position > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: item.bytes)
        }
        out.append(contentsOf: "]}".utf8)
        return bytes(out)
    }

    /// The `Status` of a successful deletion of a built-in object.
    static func deletedStatus(_ object: JSONValue, type: ResourceType) -> JSONValue {
        .object([
            "kind": .string("Status"), "apiVersion": .string("v1"), "metadata": .object([:]),
            "status": .string("Success"),
            "details": .object([
                "name": .string(ObjectMeta.name(object)), "group": .string(type.group), "kind": .string(type.plural),
                "uid": .string(ObjectMeta.uid(object)),
            ]),
        ])
    }
}
