import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Watches folders recursively with Linux inotify (no polling): a blocking read on its own thread, events
/// delivered as an async stream of "something changed" signals. New subfolders are watched as they appear.
public final class FileWatcher: @unchecked Sendable {
    private let descriptor: Int32
    private let lock = NSLock()
    private var watched: [Int32: URL] = [:]
    private var batchCount = 0
    /// One element per batch of file-system events.
    public let changes: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation

    /// Starts watching `folders` (those that exist) and everything below them.
    public init(folders: [URL]) throws {
        descriptor = inotify_init1(Int32(IN_CLOEXEC))
        guard descriptor >= 0 else { throw WatchError("inotify_init1 failed: \(String(cString: strerror(errno)))") }
        (changes, continuation) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
        for folder in folders { addRecursively(folder) }
        let thread = Thread { [weak self] in self?.readLoop() }
        thread.name = "bulletin-file-watcher"
        thread.start()
    }

    /// The batches of events read so far: a rebuild started after the count was taken saw those changes.
    public var batches: Int { lock.withLock { batchCount } }

    deinit {
        close(descriptor)
        continuation.finish()
    }

    private func addRecursively(_ folder: URL) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue else { return }
        add(folder)
        guard let enumerator = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.isDirectoryKey]) else { return }
        for case let url as URL in enumerator where (try? url.resourceValues(forKeys: [.isDirectoryKey]).isDirectory) == true {
            add(url)
        }
    }

    private func add(_ folder: URL) {
        let mask = UInt32(IN_MODIFY | IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_CLOSE_WRITE | IN_DELETE_SELF)
        let watch = inotify_add_watch(descriptor, folder.path, mask)
        guard watch >= 0 else { return }
        lock.withLock { watched[watch] = folder }
    }

    private func readLoop() {
        let size = 64 * 1024
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 8)
        defer { buffer.deallocate() }
        while true {
            let count = read(descriptor, buffer, size)
            if count <= 0 {
                if count < 0 && errno == EINTR { continue }
                return
            }
            var offset = 0
            while offset + MemoryLayout<inotify_event>.size <= count {
                let event = buffer.load(fromByteOffset: offset, as: inotify_event.self)
                let nameLength = Int(event.len)
                if event.mask & UInt32(IN_ISDIR) != 0 && event.mask & UInt32(IN_CREATE | IN_MOVED_TO) != 0 && nameLength > 0 {
                    let namePointer = buffer.advanced(by: offset + MemoryLayout<inotify_event>.size).assumingMemoryBound(to: CChar.self)
                    if let parent = lock.withLock({ watched[event.wd] }) {
                        addRecursively(parent.appending(path: String(cString: namePointer)))
                    }
                }
                offset += MemoryLayout<inotify_event>.size + nameLength
            }
            lock.withLock { batchCount += 1 }
            continuation.yield()
        }
    }

    struct WatchError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}
