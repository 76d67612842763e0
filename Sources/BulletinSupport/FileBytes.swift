#if canImport(Glibc)
import Glibc
#endif

/// Whole files read straight into byte arrays and written straight from them (Foundation reads and writes
/// `Data`, to and from which the bytes have to be copied).
public enum FileBytes {
    /// A file that could not be written, with the system's reason.
    public struct WriteError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Writes `pieces` one after another to the file at `path`, created or emptied first.
    public static func write(_ pieces: [[UInt8]], to path: String) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw WriteError(description: "cannot create \(path): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        guard writeAll(descriptor, pieces: pieces) else {
            throw WriteError(description: "cannot write \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// Writes `pieces` one after another; false (with `errno` set) when one could not be written whole.
    public static func writeAll<Piece: Collection<UInt8>>(_ descriptor: Int32, pieces: some Sequence<Piece>) -> Bool {
        for bytes in pieces {
            let written = bytes.withContiguousStorageIfAvailable { writeAll(descriptor, UnsafeRawBufferPointer($0)) }
                ?? Array(bytes).withUnsafeBytes { writeAll(descriptor, $0) }
            guard written == bytes.count else { return false }
        }
        return true
    }

    /// Writes the whole buffer, continuing after partial writes; the number of bytes written.
    public static func writeAll(_ descriptor: Int32, _ buffer: UnsafeRawBufferPointer) -> Int {
        var done = 0
        while done < buffer.count {
            let result = Glibc.write(descriptor, buffer.baseAddress! + done, buffer.count - done)
            if result < 0 {
                if errno == EINTR { continue }
                return done
            }
            done += result
        }
        return done
    }

    /// The bytes of the file at `path`, or nil when it cannot be opened or read; with a `limit`, no more than
    /// `limit + 1` of them (enough to tell a file over the limit).
    public static func read(_ path: String, limit: Int = .max - 1) -> [UInt8]? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { return nil }
        var bytes = [UInt8](repeating: 0, count: min(Int(info.st_size), limit + 1))
        var filled = 0
        while filled < bytes.count {
            let count = bytes.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress! + filled, $0.count - filled) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { return nil }
            if count == 0 {
                // Shorter than when its size was taken.
                bytes.removeSubrange(filled...)
                return bytes
            }
            filled += count
        }
        // Longer than when its size was taken: the rest appended, up to the limit.
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while bytes.count <= limit {
            let wanted = min(chunk.count, limit + 1 - bytes.count)
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress!, wanted) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { return nil }
            if count == 0 { return bytes }
            bytes += chunk[..<count]
        }
        return bytes
    }
}
