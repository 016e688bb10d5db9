/// The identity in a client certificate, as kube-apiserver reads it: user = subject common name
/// (CN), groups = subject organizations (O).
enum ClientCertificate {
    private static let commonName: [UInt8] = [0x55, 0x04, 0x03]  // 2.5.4.3
    private static let organization: [UInt8] = [0x55, 0x04, 0x0A]  // 2.5.4.10

    /// The user of a DER-encoded X.509 certificate, or nil when it has no common name.
    static func user(der: [UInt8]) -> UserInfo? {
        // Certificate ::= SEQUENCE { tbsCertificate SEQUENCE { [0] version?, serial, signature,
        // issuer, validity, subject, ... } ... }
        var reader = DERReader(bytes: der[...])
        guard var certificate = reader.enter(tag: 0x30), var tbs = certificate.enter(tag: 0x30) else { return nil }
        if tbs.peekTag == 0xA0 { _ = tbs.next() }
        for _ in 0..<4 { guard tbs.next() != nil else { return nil } }  // serial, signature, issuer, validity
        guard var subject = tbs.enter(tag: 0x30) else { return nil }
        var name: String?
        var groups: [String] = []
        while var set = subject.enter(tag: 0x31) {
            while var attribute = set.enter(tag: 0x30) {
                guard let oid = attribute.next(), let value = attribute.next() else { break }
                let text = String(decoding: value.content, as: UTF8.self)
                if oid.tag == 0x06, Array(oid.content) == commonName { name = text }
                if oid.tag == 0x06, Array(oid.content) == organization { groups.append(text) }
            }
        }
        guard let name, !name.isEmpty else { return nil }
        return UserInfo(username: name, groups: groups)
    }
}

/// A minimal DER reader: enough to walk to a certificate's subject.
struct DERReader {
    struct Element {
        var tag: UInt8
        var content: ArraySlice<UInt8>
    }

    var bytes: ArraySlice<UInt8>

    var peekTag: UInt8? { bytes.first }

    mutating func next() -> Element? {
        guard let tag = bytes.first else { return nil }
        var index = bytes.index(after: bytes.startIndex)
        guard index < bytes.endIndex else { return nil }
        var length = Int(bytes[index])
        index += 1
        if length & 0x80 != 0 {
            let count = length & 0x7F
            guard count > 0, count <= 4, index + count <= bytes.endIndex else { return nil }
            length = 0
            for offset in 0..<count { length = length << 8 | Int(bytes[index + offset]) }
            index += count
        }
        guard length >= 0, index + length <= bytes.endIndex else { return nil }
        let content = bytes[index..<(index + length)]
        bytes = bytes[(index + length)...]
        return Element(tag: tag, content: content)
    }

    mutating func enter(tag: UInt8) -> DERReader? {
        guard peekTag == tag, let element = next() else { return nil }
        return DERReader(bytes: element.content)
    }
}
