import BulletinSite
import BulletinSupport
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Watches folders recursively with Linux inotify (no polling): a blocking read on its own thread, events
/// delivered as an async stream of "something changed" signals, the paths they name collected until taken.
/// New subfolders are watched as they appear.
public final class FileWatcher: Sendable {
    private let descriptor: Int32
    private let state = LockedValue(State())

    private struct State: Sendable {
        var watched: [Int32: URL] = [:]
        var batchCount = 0
        /// The changes since they were last taken; nil when some are unknown (the event queue overflowed).
        var collected: ChangedFiles? = ChangedFiles()
    }
    /// One element per batch of file-system events.
    public let changes: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation

    /// Starts watching `folders` (those that exist) and everything below them.
    public init(folders: [URL]) throws {
        descriptor = inotify_init1(Int32(IN_CLOEXEC))
        guard descriptor >= 0 else { throw WatchError("inotify_init1 failed: \(String(cString: strerror(errno)))") }
        (changes, continuation) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
        for folder in folders { addRecursively(folder.standardizedFileURL) }
        let thread = Thread { [weak self] in self?.readLoop() }
        thread.name = "bulletin-file-watcher"
        thread.start()
    }

    /// The batches of events read so far: a rebuild started after the count was taken saw those changes.
    public var batches: Int { state.get().batchCount }

    /// The files changed since the last call (since the start for the first), with absolute paths below the
    /// standardized folders watched; nil when that is not known.
    public func takeChanges() -> ChangedFiles? {
        state.update { state in
            defer { state.collected = ChangedFiles() }
            return state.collected
        }
    }

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
        state.update { $0.watched[watch] = folder }
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
                let namePointer = buffer.advanced(by: offset + MemoryLayout<inotify_event>.size).assumingMemoryBound(to: CChar.self)
                let name = nameLength > 0 ? String(cString: namePointer) : nil
                let parent = state.get().watched[event.wd]
                if event.mask & UInt32(IN_ISDIR) != 0 && event.mask & UInt32(IN_CREATE | IN_MOVED_TO) != 0, let parent, let name {
                    addRecursively(parent.appending(path: name))
                }
                collect(event.mask, path: parent.flatMap { parent in name.map { parent.path + "/" + $0 } })
                offset += MemoryLayout<inotify_event>.size + nameLength
            }
            state.update { $0.batchCount += 1 }
            continuation.yield()
        }
    }

    /// Adds an event to the changes collected: a file written, or the list of files changed; a lost event
    /// (an overflowed queue, a path not known) makes them unknown.
    private func collect(_ mask: UInt32, path: String?) {
        state.update { state in
            guard mask & UInt32(IN_Q_OVERFLOW) == 0, let path, state.collected != nil else {
                state.collected = nil
                return
            }
            state.collected?.paths.insert(path)
            if mask & UInt32(IN_ISDIR | IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE_SELF) != 0 {
                state.collected?.listChanged = true
            }
        }
    }

    struct WatchError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}
