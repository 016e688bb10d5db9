import Foundation

/// Splits a byte stream into newline-terminated lines, whatever the chunk boundaries.
///
/// libcurl hands over de-chunked bytes in arbitrary pieces: one piece may hold many lines, or a
/// fraction of one (an object larger than the buffer). Only complete lines come out; the rest
/// waits for the next chunk. (swiftkube ends its stream when a chunk has no newline: not here.)
public struct LineFramer: Sendable {
    private var buffer: [UInt8] = []
    /// Bytes of `buffer` already searched for a newline, so each byte is scanned once.
    private var scanned = 0

    /// An empty framer.
    public init() {}

    /// Bytes received that do not yet form a complete line.
    public var pendingByteCount: Int { buffer.count }

    /// Appends `chunk` and returns the complete lines it finishes, without their `\n` (a `\r`
    /// before it is dropped too). Blank lines are skipped.
    public mutating func push(_ chunk: some Sequence<UInt8>) -> [[UInt8]] {
        buffer.append(contentsOf: chunk)
        var lines: [[UInt8]] = []
        var lineStart = 0
        buffer.withUnsafeBufferPointer { bytes in
            guard let base = bytes.baseAddress else { return }
            // memchr finds the newline a word at a time: a loop over the bytes was 1.6% of the
            // controller's instructions per grant (BENCHMARKS.md, "Controller", twelfth round).
            var from = scanned
            while from < bytes.count, let found = memchr(base + from, 0x0A, bytes.count - from) {
                let newline = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
                var lineEnd = newline
                if lineEnd > lineStart, bytes[lineEnd - 1] == UInt8(ascii: "\r") { lineEnd -= 1 }
                if lineEnd > lineStart { lines.append(Array(bytes[lineStart..<lineEnd])) }
                lineStart = newline + 1
                from = lineStart
            }
        }
        if lineStart > 0 { buffer.removeFirst(lineStart) }
        scanned = buffer.count
        return lines
    }

    /// At the end of the stream: the last line if it lacked its newline, else nil.
    public mutating func finish() -> [UInt8]? {
        defer {
            buffer = []
            scanned = 0
        }
        let trimmed = buffer.drop { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\r") }
        return trimmed.isEmpty ? nil : Array(buffer)
    }
}
