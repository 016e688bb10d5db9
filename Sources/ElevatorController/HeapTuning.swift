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
///
/// The trim threshold (how much free memory at the top of a heap glibc keeps before giving it
/// back) is fixed at its default too: glibc raises it with the mmap threshold, to twice the
/// largest block freed, and fixing the one does not lower the other. In the controller `apply()`
/// runs before any large block is freed; fixing both makes it the same wherever it runs.
public enum HeapTuning {
    /// glibc's `M_TRIM_THRESHOLD` and `M_MMAP_THRESHOLD` parameters of `mallopt`.
    static let trimThresholdParameter: Int32 = -1
    static let mmapThresholdParameter: Int32 = -3
    /// glibc's default thresholds, kept fixed instead of rising.
    static let mmapThreshold: Int32 = 128 * 1024
    static let trimThreshold: Int32 = 128 * 1024

    /// Fixes the mmap and trim thresholds at glibc's defaults; false where the C library has no
    /// `mallopt` (not glibc), which changes nothing else.
    @discardableResult
    public static func apply() -> Bool {
        #if canImport(Glibc)
        // Looked up rather than declared: Swift's Glibc module does not import <malloc.h>.
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        guard let symbol = dlsym(nil, "mallopt") else { return false }
        let mallopt = unsafeBitCast(symbol, to: Mallopt.self)
        return mallopt(mmapThresholdParameter, mmapThreshold) == 1 && mallopt(trimThresholdParameter, trimThreshold) == 1
        #else
        return false
        #endif
    }
}
