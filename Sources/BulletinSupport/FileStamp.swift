#if canImport(Glibc)
import Glibc
#endif

/// What tells a file apart from a rewritten one without reading it: size, modification time and inode.
public struct FileStamp: Hashable, Codable, Sendable {
    public var size: Int
    /// Nanoseconds since 1970.
    public var modified: Int
    public var inode: UInt64

    public init(size: Int, modified: Int, inode: UInt64) {
        self.size = size
        self.modified = modified
        self.inode = inode
    }

    public init(_ info: stat) {
        size = Int(info.st_size)
        modified = info.st_mtim.nanoseconds
        inode = UInt64(info.st_ino)
    }

    /// The stamp of a regular file, nil for anything else.
    public init?(path: String) {
        var info = stat()
        guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
        self.init(info)
    }
}

/// What tells a source file apart from an edited one without reading it: a digest of its size, modification
/// and status-change times and inode, and the status-change time (which no one can set back).
public struct SourceStamp: Hashable, Codable, Sendable {
    public var digest: UInt64
    /// Nanoseconds since 1970.
    public var changed: Int

    public init(digest: UInt64, changed: Int) {
        self.digest = digest
        self.changed = changed
    }

    /// The stamp of the file at `path` (links followed, as reading does); nil when it cannot be read.
    public init?(path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        let file = FileStamp(info)
        changed = info.st_ctim.nanoseconds
        var digest = StableDigest()
        digest.add(file.size)
        digest.add(file.modified)
        digest.add(changed)
        digest.add(file.inode)
        self.digest = digest.value
    }

    /// The time now, in nanoseconds since 1970.
    public static var now: Int {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return time.nanoseconds
    }
}

extension timespec {
    /// The time in nanoseconds.
    var nanoseconds: Int { Int(tv_sec) * 1_000_000_000 + Int(tv_nsec) }
}
