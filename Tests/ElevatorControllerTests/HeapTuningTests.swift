import ElevatorController
import Foundation
import Testing

/// `HeapTuning`: a large buffer freed after a larger one still goes back to the system (without
/// the fixed thresholds glibc serves it from the heap and keeps it resident after `free`).
@Suite struct HeapTuningTests {
    @Test func aLargeBufferFreedAfterALargerOneIsReturnedToTheSystem() throws {
        // What a process may have done before `apply()`: freed a large block while glibc's
        // thresholds still moved, which raised both (mmap to 30 MiB, trim to 60 MiB)...
        touched(30 << 20).deallocate()
        #expect(HeapTuning.apply())
        // ...and grown a heap by 25 MiB of small blocks, then freed them. With the trim threshold
        // still raised that heap kept 25 MiB free at its top, a 20 MiB buffer came from there and
        // went back there, resident, when freed: how this test once failed in a full parallel run,
        // where other tests had done both. With it fixed, the heap gives the 25 MiB back at once.
        let blocks = (0..<400).map { _ in touched(64 << 10) }
        for block in blocks.reversed() { block.deallocate() }
        // Made before the buffer: anything allocated after it, at the heap's top, would keep it
        // from going back.
        var pages = [UInt8](repeating: 0, count: (20 << 20) / Int(sysconf(Int32(_SC_PAGESIZE))) + 2)
        // Up to ten tries, half a second apart: other tests allocating from the same heap
        // meanwhile can do the same, or leave a large free block in it (pinned below one of
        // their live blocks) that serves the buffer until they end.
        var released = 0
        for attempt in 0..<10 where released < 15 << 20 {
            if attempt > 0 { usleep(500_000) }
            // Freeing this would raise glibc's dynamic threshold to 30 MiB...
            touched(30 << 20).deallocate()
            // ...so that this one came from the heap and stayed resident once freed.
            let second = touched(20 << 20)
            let before = residentBytes(second, 20 << 20, &pages)
            second.deallocate()
            // Counted on the buffer's own pages, so that other tests allocating meanwhile do not count.
            released = before - residentBytes(second, 20 << 20, &pages)
        }
        #expect(released >= 15 << 20, "only \(released >> 20) MiB of a freed 20 MiB buffer left the process")
    }

    /// `bytes` from `malloc`, every page written so that all of it is resident.
    private func touched(_ bytes: Int) -> UnsafeMutableRawPointer {
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 16)
        for offset in stride(from: 0, to: bytes, by: 4096) { buffer.storeBytes(of: 1, toByteOffset: offset, as: UInt8.self) }
        return buffer
    }

    /// How many bytes of the pages under `bytes` from `start` are resident (`mincore`, into
    /// `pages`, one byte per page); 0 once they are no longer mapped.
    private func residentBytes(_ start: UnsafeMutableRawPointer, _ bytes: Int, _ pages: inout [UInt8]) -> Int {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let first = Int(bitPattern: start) / page * page
        let count = min(pages.count, (Int(bitPattern: start) + bytes - first + page - 1) / page)
        guard let base = UnsafeMutableRawPointer(bitPattern: first), mincore(base, count * page, &pages) == 0 else { return 0 }
        return pages[..<count].reduce(0) { $0 + Int($1 & 1) } * page
    }
}
