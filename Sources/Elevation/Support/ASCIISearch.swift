extension StringProtocol {
    /// Whether the text holds the ASCII character `character`, compared as a UTF-8 byte.
    ///
    /// Why not `contains("/")`: with Foundation imported, that resolves to Foundation's substring
    /// search, which bridges to `NSString` at about 4,000 instructions a call. `decide` checks a
    /// handful of single characters per request (durations, paths, names, API groups): 1.8% of
    /// the controller's instructions per grant (BENCHMARKS.md, "Controller", twelfth round).
    func containsASCII(_ character: Unicode.Scalar) -> Bool {
        utf8.contains(UInt8(ascii: character))
    }
}
