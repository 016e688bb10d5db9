import Hummingbird
import YAML

/// Reading request bodies: the size limit, the media types each verb accepts, and JSON/YAML.
enum BodyDecoding {
    /// kube-apiserver's request body limit (3 MiB); larger bodies get 413.
    static let limit = 3 * 1024 * 1024

    enum PatchKind: Equatable { case merge, json, strategic, apply }

    /// Collects the body, refusing more than `limit` bytes with 413.
    static func collect(_ request: Request) async throws(SandboxError) -> [UInt8] {
        var bytes: [UInt8] = []
        var total = 0
        do {
            // An oversized body is still read to its end (up to a bound) so the client, which is
            // usually still sending, reads the 413 instead of a reset connection.
            for try await var chunk in request.body {
                total += chunk.readableBytes
                if total > limit {
                    if total > 16 * limit { break }
                    continue
                }
                if let part = chunk.readBytes(length: chunk.readableBytes) { bytes.append(contentsOf: part) }
            }
        } catch {
            throw .badRequest("the request body could not be read: \(error)")
        }
        if total > limit { throw .tooLarge(limit: limit) }
        return bytes
    }

    /// The media type without parameters, lowercased.
    static func mediaType(_ header: String?) -> String {
        guard let header else { return "" }
        return header.split(ascii: ";").first.map { String($0.trimmingASCIIBlanks).lowercased() } ?? ""
    }

    /// The patch kind of a PATCH's Content-Type, or 415.
    static func patchKind(_ contentType: String?) throws(SandboxError) -> PatchKind {
        switch mediaType(contentType) {
        case "application/merge-patch+json": return .merge
        case "application/json-patch+json": return .json
        case "application/strategic-merge-patch+json": return .strategic
        case "application/apply-patch+yaml", "application/apply-patch+json": return .apply
        default:
            throw .unsupportedMediaType("the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json")
        }
    }

    /// Checks a POST/PUT Content-Type.
    static func checkObjectMediaType(_ contentType: String?) throws(SandboxError) {
        switch mediaType(contentType) {
        case "application/json", "application/yaml", "", "*/*": return
        default:
            throw .unsupportedMediaType("the body of the request was in an unknown format - accepted media types include: application/json, application/yaml")
        }
    }

    /// Decodes a body as JSON, or as YAML when the media type says YAML.
    static func decode(_ bytes: [UInt8], yaml: Bool) throws(SandboxError) -> JSONValue {
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
            throw .badRequest("the body of the request was empty")
        }
        do {
            return try JSONParser.parse(bytes)
        } catch {
            guard yaml else {
                throw .badRequest("couldn't get version/kind; json parse error: \(error.message) (at byte \(error.offset))")
            }
        }
        do {
            return try YAMLBody.parse(bytes)
        } catch {
            throw .badRequest("error converting YAML to JSON: \(error)")
        }
    }
}
