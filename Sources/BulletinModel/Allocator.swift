import Foundation

/// The C allocator of this process: its settings and giving freed memory back, each measured on a 10,000-bulletin
/// build (peak RSS, alternated runs; no difference in time beyond this machine's noise). Elsewhere than on glibc
/// nothing is done.
public enum Allocator {
    /// - One arena per core: glibc's malloc gives threads arenas of their own, up to eight per core, and memory
    ///   freed in one arena is not reused from another; the build (about one worker thread per core) had six.
    ///   Peak RSS 250–258 → 238–246 MB.
    /// - Blocks of 128 KiB or more always mapped on their own (returned to the system when freed): by default the
    ///   threshold rises, up to 32 MiB, each time such a block is freed, and the large buffers of big pages and
    ///   search files that follow are carved from the heap, where their space stays. Peak RSS 239–244 → 226–227 MB.
    public static func configure() {
        #if canImport(Glibc)
        // `mallopt` is not in Swift's Glibc module: looked up by name (nil, RTLD_DEFAULT, searches the process).
        guard let symbol = dlsym(nil, "mallopt") else { return }
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        let mallopt = unsafeBitCast(symbol, to: Mallopt.self)
        let arenaMax: Int32 = -8, mmapThreshold: Int32 = -3  // M_ARENA_MAX, M_MMAP_THRESHOLD in <malloc.h>
        _ = mallopt(arenaMax, Int32(clamping: ProcessInfo.processInfo.activeProcessorCount))
        _ = mallopt(mmapThreshold, 128 * 1024)
        #endif
    }

    /// Gives the pages of freed memory back to the system (`malloc_trim`), after a large structure made of small
    /// blocks is freed: the heap keeps them otherwise, and the large buffers that follow are mapped on their own
    /// rather than made from them. After the search index, before the cache record: peak RSS 252 → 236 MB.
    public static func returnFreeMemory() {
        #if canImport(Glibc)
        guard let symbol = dlsym(nil, "malloc_trim") else { return }
        typealias MallocTrim = @convention(c) (Int) -> Int32
        _ = unsafeBitCast(symbol, to: MallocTrim.self)(0)
        #endif
    }
}
