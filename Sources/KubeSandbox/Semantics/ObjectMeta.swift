import Foundation
import YAML

/// Pure helpers over an object's `metadata`, shared by the store's write paths.
enum ObjectMeta {
    /// RFC 3339 time with second precision in UTC, as `metav1.Time` serializes.
    static func timestamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(timeZone: .gmt))
    }

    static func name(_ object: JSONValue) -> String { object["metadata"]?["name"]?.stringValue ?? "" }
    static func namespace(_ object: JSONValue) -> String { object["metadata"]?["namespace"]?.stringValue ?? "" }
    static func uid(_ object: JSONValue) -> String { object["metadata"]?["uid"]?.stringValue ?? "" }
    static func labels(_ object: JSONValue) -> [String: JSONValue] { object["metadata"]?["labels"]?.objectValue ?? [:] }
    static func finalizers(_ object: JSONValue) -> [String] {
        object["metadata"]?["finalizers"]?.arrayValue?.compactMap(\.stringValue) ?? []
    }
    static func isDeleting(_ object: JSONValue) -> Bool { object["metadata"]?["deletionTimestamp"] != nil }
    static func ownerUIDs(_ object: JSONValue) -> [String] {
        object["metadata"]?["ownerReferences"]?.arrayValue?.compactMap { $0["uid"]?.stringValue } ?? []
    }

    /// Sets `metadata.key` (creating `metadata` if needed); nil removes the key.
    static func set(_ key: String, _ value: JSONValue?, in object: inout JSONValue) {
        guard case .object(var members) = object else { return }
        // Taken out of the object and put back, `members` and `metadata` each have one owner and
        // change in place: read through the subscript and written back, both dictionaries were
        // copied whole for every key set (a write sets five to eight).
        object = .null
        var metadata: [String: JSONValue] = [:]
        let slot = members.index(forKey: "metadata")
        if let slot {
            if case .object(let existing) = members.values[slot] { metadata = existing }
            members.values[slot] = .null
        }
        metadata[key] = value
        if let slot { members.values[slot] = .object(metadata) } else { members["metadata"] = .object(metadata) }
        object = .object(members)
    }

    private static let generateNameAlphabet = Array("bcdfghjklmnpqrstvwxz2456789")

    /// `generateName` plus five random characters from apimachinery's alphabet.
    static func generatedName(prefix: String) -> String {
        var generator = SystemRandomNumberGenerator()
        let suffix = (0..<5).map { _ in generateNameAlphabet.randomElement(using: &generator) ?? "x" }
        return String(prefix.prefix(58)) + String(suffix)
    }

    /// Validation causes for a name, with kube-apiserver's wording for an RFC 1123 subdomain.
    static func nameCauses(_ name: String, isNamespace: Bool) -> [StatusCause] {
        if name.isEmpty {
            return [StatusCause(reason: "FieldValueRequired", message: "Required value: name or generateName is required",
                                field: "metadata.name")]
        }
        let label = isNamespace
        let valid = label ? isDNSLabel(name) : isDNSSubdomain(name)
        guard !valid else { return [] }
        let message = label
            ? "Invalid value: \"\(name)\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
            : "Invalid value: \"\(name)\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
        return [StatusCause(reason: "FieldValueInvalid", message: message, field: "metadata.name")]
    }

    static func isDNSLabel(_ text: String) -> Bool {
        let bytes = text.utf8
        guard !bytes.isEmpty, bytes.count <= 63 else { return false }
        func alnum(_ byte: UInt8) -> Bool {
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
        }
        guard let first = bytes.first, let last = bytes.last, alnum(first), alnum(last) else { return false }
        return bytes.allSatisfy { alnum($0) || $0 == UInt8(ascii: "-") }
    }

    static func isDNSSubdomain(_ text: String) -> Bool {
        guard !text.isEmpty, text.utf8.count <= 253 else { return false }
        return text.split(ascii: ".", omittingEmptySubsequences: false).allSatisfy { isDNSLabel(String($0)) }
    }

    /// The object without the fields whose change does not move `metadata.generation`:
    /// `metadata` always, and `status` when the status subresource is served.
    static func generationRelevant(_ object: JSONValue, hasStatus: Bool) -> JSONValue {
        var copy = object
        copy["metadata"] = nil
        if hasStatus { copy["status"] = nil }
        return copy
    }
}
