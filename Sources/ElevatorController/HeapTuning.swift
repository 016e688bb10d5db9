#if canImport(Glibc)
import Glibc
#endif

/// The controller's one process-wide allocator setting: buffers of 128 KiB and more (LIST pages,
/// their JSON tapes, large watch bodies) always get pages of their own that go back to the system
/// when freed.
///
/// Why: glibc raises its mmap threshold to the size of every large block freed, up to 32 MiB, so
/// after the first LIST page the next pages' buffers come from the heap, and the cached objects
/// decoded between them pin the holes those buffers leave. A start with 10,000 requests kept about
/// 19 MiB of such free heap resident for good (40.7 MB taken from the system for 20.3 MB in use;
/// anonymous RSS 40.3 MiB, 22.7 MiB with the threshold fixed: BENCHMARKS.md, "Controller", third
/// round). The cost is one mmap and munmap per large buffer, which the first LIST page paid anyway.
public enum HeapTuning {
    /// glibc's `M_MMAP_THRESHOLD` parameter of `mallopt`.
    static let mmapThresholdParameter: Int32 = -3
    /// glibc's default threshold, kept fixed instead of rising.
    static let mmapThreshold: Int32 = 128 * 1024

    /// Fixes the mmap threshold at `mmapThreshold`; false where the C library has no `mallopt`
    /// (not glibc), which changes nothing else.
    @discardableResult
    public static func apply() -> Bool {
        #if canImport(Glibc)
        // Looked up rather than declared: Swift's Glibc module does not import <malloc.h>.
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        guard let symbol = dlsym(nil, "mallopt") else { return false }
        return unsafeBitCast(symbol, to: Mallopt.self)(mmapThresholdParameter, mmapThreshold) == 1
        #else
        return false
        #endif
    }
}
