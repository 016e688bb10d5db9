import ElevatorController
import Foundation
import Testing

/// `HeapTuning`: a large buffer freed after a larger one still goes back to the system (without
/// the fixed thresholds glibc serves it from the heap and keeps it resident after `free`).
@Suite struct HeapTuningTests {
    @Test func aLargeBufferFreedAfterALargerOneIsReturnedToTheSystem() async throws {
        // In a process of its own, where nothing else allocates: in the shared test process other
        // tests left large free blocks in its heaps (pinned below their live blocks) that served
        // the buffer, so that even ten tries half a second apart saw nothing released in one
        // full CI run in several.
        let result = try #require(
            await #expect(processExitsWith: .success, observing: [\.standardOutputContent], "HeapTuning.apply() found no mallopt") {
                guard let released = HeapScenario.releasedBytes() else { exit(EXIT_FAILURE) }
                print(released >> 20)
                exit(EXIT_SUCCESS)
            })
        let mebibytes = String(decoding: result.standardOutputContent, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect((Int(mebibytes) ?? 0) >= 15, "only \(mebibytes) MiB of a freed 20 MiB buffer left the process")
    }
}

/// The allocations that once kept a freed 20 MiB buffer resident, with `HeapTuning` applied
/// between them as the controller applies it.
private enum HeapScenario {
    /// How many bytes of a freed 20 MiB buffer left the process; nil when `HeapTuning.apply()`
    /// could not apply its thresholds.
    static func releasedBytes() -> Int? {
        // What a process may have done before `apply()`: freed a large block while glibc's
        // thresholds still moved, which raised both (mmap to 30 MiB, trim to 60 MiB)...
        touched(30 << 20).deallocate()
        guard HeapTuning.apply() else { return nil }
        // ...and grown a heap by 25 MiB of small blocks, then freed them. With the trim threshold
        // still raised that heap kept 25 MiB free at its top, a 20 MiB buffer came from there and
        // went back there, resident, when freed. With it fixed, the heap gives the 25 MiB back at once.
        let blocks = (0..<400).map { _ in touched(64 << 10) }
        // Freed by index, not through `reversed()`: its generic metadata, made on first use,
        // would be allocated above the blocks and keep them from reaching the heap's top.
        var index = blocks.count
        while index > 0 {
            index -= 1
            blocks[index].deallocate()
        }
        // Made before the buffer: anything allocated after it, at the heap's top, would keep it
        // from going back.
        var pages = [UInt8](repeating: 0, count: (20 << 20) / Int(sysconf(Int32(_SC_PAGESIZE))) + 2)
        // Freeing this would raise glibc's dynamic mmap threshold to 30 MiB...
        touched(30 << 20).deallocate()
        // ...so that this one came from the heap and stayed resident once freed.
        let buffer = touched(20 << 20)
        let before = residentBytes(buffer, 20 << 20, &pages)
        buffer.deallocate()
        return before - residentBytes(buffer, 20 << 20, &pages)
    }

    /// `bytes` from `malloc`, every page written so that all of it is resident.
    private static func touched(_ bytes: Int) -> UnsafeMutableRawPointer {
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 16)
        for offset in stride(from: 0, to: bytes, by: 4096) { buffer.storeBytes(of: 1, toByteOffset: offset, as: UInt8.self) }
        return buffer
    }

    /// How many bytes of the pages under `bytes` from `start` are resident (`mincore`, into
    /// `pages`, one byte per page); 0 once they are no longer mapped.
    private static func residentBytes(_ start: UnsafeMutableRawPointer, _ bytes: Int, _ pages: inout [UInt8]) -> Int {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let first = Int(bitPattern: start) / page * page
        let count = min(pages.count, (Int(bitPattern: start) + bytes - first + page - 1) / page)
        guard let base = UnsafeMutableRawPointer(bitPattern: first), mincore(base, count * page, &pages) == 0 else { return 0 }
        return pages[..<count].reduce(0) { $0 + Int($1 & 1) } * page
    }
}
