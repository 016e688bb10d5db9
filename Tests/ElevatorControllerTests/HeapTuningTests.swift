import ElevatorController
import Foundation
import Testing

/// `HeapTuning`: a large buffer freed after a larger one still goes back to the system (without
/// the fixed threshold glibc serves it from the heap and keeps it resident after `free`).
@Suite struct HeapTuningTests {
    @Test func aLargeBufferFreedAfterALargerOneIsReturnedToTheSystem() throws {
        #expect(HeapTuning.apply())
        // Freeing this would raise glibc's dynamic threshold to 30 MiB...
        touched(30 << 20).deallocate()
        // ...so that this one came from the heap and stayed resident once freed.
        let second = touched(20 << 20)
        let before = try residentAnonymousBytes()
        second.deallocate()
        let released = before - (try residentAnonymousBytes())
        // 20 MiB go back; other tests of this process may allocate meanwhile, hence the margin.
        #expect(released >= 15 << 20, "only \(released >> 20) MiB of a freed 20 MiB buffer left the process")
    }

    /// `bytes` from `malloc`, every page written so that all of it is resident.
    private func touched(_ bytes: Int) -> UnsafeMutableRawPointer {
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 16)
        for offset in stride(from: 0, to: bytes, by: 4096) { buffer.storeBytes(of: 1, toByteOffset: offset, as: UInt8.self) }
        return buffer
    }

    /// `RssAnon` of `/proc/self/status`: the process's resident heap and stacks.
    private func residentAnonymousBytes() throws -> Int {
        let status = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
        let line = try #require(status.split(separator: "\n").first { $0.hasPrefix("RssAnon:") })
        return try #require(line.split(separator: " ").dropFirst().first.flatMap { Int($0) }) * 1024
    }
}
