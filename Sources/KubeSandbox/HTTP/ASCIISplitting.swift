/// Splitting and trimming at ASCII bytes, for request paths, query strings and headers.
///
/// `String.split(separator:)` compares `Character`s, so it walks grapheme clusters: about 30,000
/// instructions to split one request path, and with the query string, the token and the headers
/// about a tenth of the sandbox's instructions per grant (BENCHMARKS.md, "Controller", sixteenth
/// round). An ASCII separator never falls inside a multi-byte UTF-8 sequence, so comparing bytes
/// gives the same pieces, except where a combining mark follows the separator: there it splits,
/// as kube-apiserver's Go code, which splits bytes, does too.
extension StringProtocol {
    /// The pieces between occurrences of `separator` (an ASCII character), as `split` gives them.
    func split(ascii separator: Unicode.Scalar, maxSplits: Int = .max,
               omittingEmptySubsequences: Bool = true) -> [Substring] {
        let byte = UInt8(ascii: separator)
        return Substring(self).utf8.split(separator: byte, maxSplits: maxSplits,
                                          omittingEmptySubsequences: omittingEmptySubsequences).map { Substring($0) }
    }

    /// The text without leading and trailing spaces and tabs.
    var trimmingASCIIBlanks: Substring {
        let utf8 = Substring(self).utf8
        let isBlank = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        guard let first = utf8.firstIndex(where: { !isBlank($0) }), let last = utf8.lastIndex(where: { !isBlank($0) }) else {
            return ""
        }
        return Substring(utf8[first...last])
    }
}
