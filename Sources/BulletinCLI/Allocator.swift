import Foundation

/// Settings of the C allocator for this process.
enum Allocator {
    /// glibc's malloc gives threads arenas of their own, up to eight per core, and memory freed in one arena is
    /// not reused from another: the build's workers (about one thread per core) held memory in more arenas than
    /// they run in. Limited to one arena per core, a 10,000-bulletin build's peak RSS was 238–245 MB against
    /// 250–258 MB, with no difference in time beyond this machine's noise. Elsewhere (no glibc) nothing is done.
    static func limitArenasToCores() {
        #if canImport(Glibc)
        // `mallopt` is not in Swift's Glibc module: looked up by name (nil, RTLD_DEFAULT, searches the process).
        guard let symbol = dlsym(nil, "mallopt") else { return }
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        let arenaMax: Int32 = -8  // M_ARENA_MAX in <malloc.h>
        _ = unsafeBitCast(symbol, to: Mallopt.self)(arenaMax, Int32(clamping: ProcessInfo.processInfo.activeProcessorCount))
        #endif
    }
}
