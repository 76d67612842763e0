import BulletinModel
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Writes a build into a staging folder beside the destination and swaps it into place only when complete,
/// so a failed or interrupted build never leaves a half-written site. A lock file keeps two builds from
/// publishing into the same destination at once.
///
/// Dotfiles at the top of the old output (`.gitkeep`, `.git` of a deployment checkout) are carried over.
struct OutputPublisher {
    let destination: URL
    /// Folders already made below the staging folder, so each file costs one open and one write.
    private let madeFolders = MadeFolders()

    init(destination: URL) {
        self.destination = destination
    }

    private final class MadeFolders: @unchecked Sendable {
        private let lock = NSLock()
        private var folders: Set<String> = []

        /// Runs `make` for a folder the first time it is asked for.
        func ensure(_ folder: String, make: () throws -> Void) rethrows {
            if lock.withLock({ folders.contains(folder) }) { return }
            try make()
            lock.withLock { _ = folders.insert(folder) }
        }
    }

    var staging: URL { sibling(suffix: "staging") }
    var lockFile: URL { sibling(suffix: "lock") }

    private func sibling(suffix: String) -> URL {
        destination.deletingLastPathComponent().appending(path: ".\(destination.lastPathComponent).\(suffix)")
    }

    /// An exclusive lock on the destination, released when the value is dropped.
    final class Lock {
        private let descriptor: Int32

        init(descriptor: Int32) { self.descriptor = descriptor }

        deinit {
            flock(descriptor, LOCK_UN)
            close(descriptor)
        }
    }

    /// Takes the destination's lock, waiting (after saying so) while another build holds it.
    func lock(onWait: () -> Void) throws -> Lock {
        try FileManager.default.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
        let descriptor = open(lockFile.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw PublishError("cannot create the lock file \(lockFile.path): \(errnoText())") }
        if flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            onWait()
            guard flock(descriptor, LOCK_EX) == 0 else {
                close(descriptor)
                throw PublishError("cannot lock \(lockFile.path): \(errnoText())")
            }
        }
        return Lock(descriptor: descriptor)
    }

    /// Removes what an interrupted build left and creates an empty staging folder.
    func prepareStaging() throws {
        try removeIfPresent(staging)
        try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
    }

    /// Writes one file below the staging folder; a path that could leave it (`..`, absolute, NUL) is refused.
    /// Returns the stamp of the written file.
    @discardableResult
    func write(_ bytes: some Collection<UInt8>, to relativePath: String) throws -> FileStamp {
        let path = try stagingPath(relativePath)
        // Never through an existing name: it may be a link to a file of the previous output.
        var descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        if descriptor < 0 && errno == EEXIST {
            unlink(path)
            descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        }
        guard descriptor >= 0 else { throw PublishError("cannot create \(path): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        let written: Int = bytes.withContiguousStorageIfAvailable { buffer in
            Self.writeAll(descriptor, UnsafeRawBufferPointer(buffer))
        } ?? Array(bytes).withUnsafeBytes { Self.writeAll(descriptor, $0) }
        guard written == bytes.count else { throw PublishError("cannot write \(path): \(String(cString: strerror(errno)))") }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw PublishError("cannot read the status of \(path): \(errnoText())") }
        return FileStamp(info)
    }

    /// Puts the file of the previous output at the same path into the staging folder as a hard link (the
    /// file is not copied and keeps its stamp); false when it cannot be linked.
    func linkPrevious(_ relativePath: String) -> Bool {
        guard let path = try? stagingPath(relativePath) else { return false }
        return link(destination.path + "/" + relativePath, path) == 0
    }

    /// Removes a file from the staging folder.
    func removeStaged(_ relativePath: String) {
        if let path = try? stagingPath(relativePath) { unlink(path) }
    }

    /// The absolute path of a file below the staging folder, with its folder made.
    private func stagingPath(_ relativePath: String) throws -> String {
        guard Self.staysInside(relativePath) else {
            throw PublishError("refusing to write '\(relativePath)': it would leave the output folder")
        }
        if let slash = relativePath.utf8.lastIndex(of: UInt8(ascii: "/")) {
            try makeFolder(String(relativePath[..<slash]))
        }
        return staging.path + "/" + relativePath
    }

    /// Whether a relative path names a file below its folder: no empty, `.` or `..` segment, no NUL or backslash.
    private static func staysInside(_ path: String) -> Bool {
        var segmentLength = 0
        var dots = 0
        for byte in path.utf8 {
            switch byte {
            case 0, UInt8(ascii: "\\"):
                return false
            case UInt8(ascii: "/"):
                if segmentLength == 0 || dots == segmentLength && dots <= 2 { return false }
                segmentLength = 0
                dots = 0
            default:
                segmentLength += 1
                if byte == UInt8(ascii: ".") { dots += 1 }
            }
        }
        return segmentLength > 0 && !(dots == segmentLength && dots <= 2)
    }

    /// Makes a folder below the staging folder and its parents, each once per build.
    private func makeFolder(_ folder: String) throws {
        try madeFolders.ensure(folder) {
            if let slash = folder.utf8.lastIndex(of: UInt8(ascii: "/")) { try makeFolder(String(folder[..<slash])) }
            let path = staging.path + "/" + folder
            guard mkdir(path, 0o755) == 0 || errno == EEXIST else {
                throw PublishError("cannot create the folder \(folder): \(errnoText())")
            }
        }
    }

    /// Writes the whole buffer, continuing after partial writes; the number of bytes written.
    private static func writeAll(_ descriptor: Int32, _ buffer: UnsafeRawBufferPointer) -> Int {
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

    /// Moves the finished staging folder into place and removes the previous output.
    /// `meanwhile` runs while the previous output is removed (after the new one is in place).
    func publish(meanwhile: @Sendable () -> Void = {}) throws {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        let exists = manager.fileExists(atPath: destination.path, isDirectory: &isDirectory)
        if exists && !isDirectory.boolValue {
            throw PublishError("\(destination.path) exists and is not a folder")
        }
        guard exists else {
            try manager.moveItem(at: staging, to: destination)
            meanwhile()
            return
        }
        for name in try manager.contentsOfDirectory(atPath: destination.path) where name.hasPrefix(".") {
            try manager.moveItem(at: destination.appending(path: name), to: staging.appending(path: name))
        }
        if !exchange(staging, destination) {
            let previous = sibling(suffix: "previous")
            try removeIfPresent(previous)
            try manager.moveItem(at: destination, to: previous)
            try manager.moveItem(at: staging, to: destination)
            try removeAlongside(previous, meanwhile)
            return
        }
        try removeAlongside(staging, meanwhile)
    }

    /// Removes a folder on another thread while `work` runs on this one.
    private func removeAlongside(_ folder: URL, _ work: @Sendable () -> Void) throws {
        let failure = LockedValue<Error?>(nil)
        DispatchQueue.concurrentPerform(iterations: 2) { part in
            if part == 1 {
                work()
            } else {
                do { try removeIfPresent(folder) } catch { failure.set(error) }
            }
        }
        if let error = failure.get() { throw error }
    }

    /// Removes the staging folder after a failed build.
    func discardStaging() {
        try? removeIfPresent(staging)
    }

    private func removeIfPresent(_ url: URL) throws {
        if FileManager.default.fileExists(atPath: url.path) { try FileManager.default.removeItem(at: url) }
    }

    /// Atomically swaps two paths with Linux's renameat2(RENAME_EXCHANGE); false where it is unavailable.
    private func exchange(_ a: URL, _ b: URL) -> Bool {
        typealias RenameAt2 = @convention(c) (Int32, UnsafePointer<CChar>, Int32, UnsafePointer<CChar>, UInt32) -> Int32
        guard let symbol = dlsym(nil, "renameat2") else { return false }
        let renameat2 = unsafeBitCast(symbol, to: RenameAt2.self)
        let renameExchange: UInt32 = 2
        return renameat2(AT_FDCWD, a.path, AT_FDCWD, b.path, renameExchange) == 0
    }

    private func errnoText() -> String { String(cString: strerror(errno)) }
}

struct PublishError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) { self.description = description }
}
