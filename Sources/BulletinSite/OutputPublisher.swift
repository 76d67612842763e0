import BulletinFileShim
import BulletinModel
import BulletinSupport
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Writes a build into a staging folder beside the destination and publishes it only when complete, so a
/// failed build never leaves a half-written site. A lock file keeps two builds from publishing into the same
/// destination at once.
///
/// A full build swaps the staging folder into place. An incremental build (`inPlace`) stages only the files it
/// rendered: files kept from the previous output stay where they are, the staged ones are renamed over their
/// old versions one by one, and whatever the new site does not have is removed, so the result is the same as a
/// full build's without touching every file. Dotfiles at the top of the old output (`.gitkeep`, `.git` of a
/// deployment checkout) are kept either way. Finding what the new site lacks means listing the destination,
/// unless the files it holds are known (`knownFiles`: a private preview folder that only these builds change).
struct OutputPublisher {
    let destination: URL
    /// Whether the destination is updated file by file instead of replaced.
    let inPlace: Bool
    /// The files the destination holds, when nothing but these builds changes it.
    let knownFiles: Set<String>?
    /// Whether the files of the new site are listed (`publishedFiles`).
    private let listsFiles: Bool
    /// Folders already made below the staging folder, so each file costs one open and one write.
    private let madeFolders = LockedValue<Set<String>>([])
    /// When listed: the files of the new site, and those of them written to the staging folder.
    private let files = LockedValue(SiteFiles())

    /// The folder the site is written to before it is published.
    let staging: URL
    /// The folders' paths with a trailing `/`, worked out once (a URL works its path out each time it is asked,
    /// which cost more than writing a page).
    private let stagingPrefix: String, destinationPrefix: String

    init(destination: URL, inPlace: Bool = false, knownFiles: Set<String>? = nil, listsFiles: Bool = false) {
        self.destination = destination
        staging = Self.sibling(of: destination, suffix: "staging")
        stagingPrefix = staging.path + "/"
        destinationPrefix = destination.path + "/"
        self.inPlace = inPlace
        self.knownFiles = knownFiles
        self.listsFiles = listsFiles || inPlace
    }

    /// The files of the new site (when listed).
    var publishedFiles: Set<String> { files.get().all }

    private struct SiteFiles {
        var all: Set<String> = []
        var staged: [String] = []
    }


    var lockFile: URL { Self.sibling(of: destination, suffix: "lock") }

    private static func sibling(of destination: URL, suffix: String) -> URL {
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
        try write(pieces: CollectionOfOne(bytes), to: relativePath)
    }

    /// Writes one file made of `pieces` one after another, as `write(_:to:)` writes one run of bytes.
    @discardableResult
    func write<Piece: Collection<UInt8>>(pieces: some Collection<Piece>, to relativePath: String) throws -> FileStamp {
        let path = try stagingPath(relativePath)
        // Never through an existing name: it may be a link to a file of the previous output.
        var descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        if descriptor < 0 && errno == EEXIST {
            unlink(path)
            descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        }
        guard descriptor >= 0 else { throw PublishError("cannot create \(path): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        guard FileBytes.writeAll(descriptor, pieces: pieces) else {
            throw PublishError("cannot write \(path): \(String(cString: strerror(errno)))")
        }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw PublishError("cannot read the status of \(path): \(errnoText())") }
        if listsFiles {
            files.update {
                $0.all.insert(relativePath)
                $0.staged.append(relativePath)
            }
        }
        return FileStamp(info)
    }

    /// Keeps the file of the previous output at the same path in the new site: in place it stays where it is,
    /// otherwise it is hard-linked into the staging folder (not copied, keeping its stamp). False when it
    /// cannot be kept.
    func linkPrevious(_ relativePath: String) -> Bool {
        if inPlace {
            guard Self.staysInside(relativePath) else { return false }
            files.update { _ = $0.all.insert(relativePath) }
            return true
        }
        guard let path = try? stagingPath(relativePath), link(destinationPrefix + relativePath, path) == 0 else { return false }
        if listsFiles { files.update { _ = $0.all.insert(relativePath) } }
        return true
    }

    /// Keeps the files of the previous output at these paths, as `linkPrevious` does each; false, with none
    /// kept, when one cannot be.
    func keepPrevious(_ paths: [String]) -> Bool {
        if inPlace {
            guard paths.allSatisfy(Self.staysInside) else { return false }
            files.update { files in
                files.all.reserveCapacity(files.all.count + paths.count)
                files.all.formUnion(paths)
            }
            return true
        }
        for (number, path) in paths.enumerated() where !linkPrevious(path) {
            paths[..<number].forEach(removeStaged)
            return false
        }
        return true
    }

    /// Takes back a file kept or written for the new site.
    func removeStaged(_ relativePath: String) {
        guard let path = try? stagingPath(relativePath) else { return }
        if listsFiles { files.update { _ = $0.all.remove(relativePath) } }
        unlink(path)
    }

    /// The absolute path of a file below the staging folder, with its folder made.
    private func stagingPath(_ relativePath: String) throws -> String {
        guard Self.staysInside(relativePath) else {
            throw PublishError("refusing to write '\(relativePath)': it would leave the output folder")
        }
        if let slash = relativePath.utf8.lastIndex(of: UInt8(ascii: "/")) {
            try makeFolder(String(relativePath[..<slash]))
        }
        return stagingPrefix + relativePath
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
        if madeFolders.update({ $0.contains(folder) }) { return }
        if let slash = folder.utf8.lastIndex(of: UInt8(ascii: "/")) { try makeFolder(String(folder[..<slash])) }
        guard mkdir(stagingPrefix + folder, 0o755) == 0 || errno == EEXIST else {
            throw PublishError("cannot create the folder \(folder): \(errnoText())")
        }
        madeFolders.update { _ = $0.insert(folder) }
    }

    /// Moves the finished staging folder into place and removes the previous output (in place: renames the
    /// staged files into the destination and removes what the new site does not have).
    /// `meanwhile` runs while the output is updated (or the previous one removed).
    func publish(meanwhile: @Sendable () -> Void = {}) throws {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        let exists = manager.fileExists(atPath: destination.path, isDirectory: &isDirectory)
        if exists && !isDirectory.boolValue {
            throw PublishError("\(destination.path) exists and is not a folder")
        }
        if inPlace && exists {
            try alongside(updateInPlace, meanwhile)
            try removeIfPresent(staging)
            return
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
            let previous = Self.sibling(of: destination, suffix: "previous")
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
        try alongside({ try removeIfPresent(folder) }, work)
    }

    /// Runs `first` and `second` on two threads; rethrows an error of `first`.
    private func alongside(_ first: @Sendable () throws -> Void, _ second: @Sendable () -> Void) throws {
        let failure = LockedValue<PublishError?>(nil)
        DispatchQueue.concurrentPerform(iterations: 2) { part in
            if part == 1 {
                second()
            } else {
                do { try first() } catch { failure.set(error as? PublishError ?? PublishError("\(error)")) }
            }
        }
        if let error = failure.get() { throw error }
    }

    /// Makes the destination hold exactly the new site: removes every file and folder the new site does not
    /// have (top-level dotfiles aside), then renames the staged files over their previous versions.
    private func updateInPlace() throws {
        let site = files.get()
        if let knownFiles {
            try removeFiles(knownFiles.subtracting(site.all))
        } else {
            var folders: Set<String> = []
            for path in site.all {
                Self.forEachFolder(above: path) { folders.insert(String($0)).inserted }
            }
            try removeAbsent(from: "", keeping: site.all, folders: folders)
        }
        var madeFolders: Set<String> = []
        for path in site.staged.sorted() {
            if let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) {
                let folder = String(path[..<slash])
                if madeFolders.insert(folder).inserted {
                    try FileManager.default.createDirectory(atPath: destinationPrefix + folder, withIntermediateDirectories: true)
                }
            }
            guard rename(stagingPrefix + path, destinationPrefix + path) == 0 else {
                throw PublishError("cannot move \(path) into \(destination.path): \(errnoText())")
            }
        }
    }

    /// Removes files of the destination (relative paths) and the folders they leave empty.
    private func removeFiles(_ paths: Set<String>) throws {
        for path in paths {
            guard unlink(destinationPrefix + path) == 0 || errno == ENOENT else {
                throw PublishError("cannot remove \(path) from \(destination.path): \(errnoText())")
            }
            Self.forEachFolder(above: path) { rmdir(destinationPrefix + $0) == 0 }
        }
    }

    /// Calls `body` with the folders above a relative path, deepest first, while it returns true.
    private static func forEachFolder(above path: String, _ body: (Substring) -> Bool) {
        var folder = Substring(path)
        while let slash = folder.utf8.lastIndex(of: UInt8(ascii: "/")) {
            folder = folder[..<slash]
            guard body(folder) else { return }
        }
    }

    /// Removes below the destination's `folder` (relative, "" for the top) every file not in `files` and every
    /// folder not in `folders`.
    private func removeAbsent(from folder: String, keeping files: Set<String>, folders: Set<String>) throws {
        let absolute = folder.isEmpty ? destination.path : destinationPrefix + folder
        guard let directory = opendir(absolute) else { throw PublishError("cannot read the folder \(absolute): \(errnoText())") }
        var entries: [(name: String, isFolder: Bool)] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.baseAddress!.assumingMemoryBound(to: CChar.self)) }
            if name == "." || name == ".." || folder.isEmpty && name.hasPrefix(".") { continue }
            var isFolder = entry.pointee.d_type == DT_DIR
            if entry.pointee.d_type == DT_UNKNOWN {
                var info = stat()
                isFolder = lstat(absolute + "/" + name, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR
            }
            entries.append((name, isFolder))
        }
        closedir(directory)
        for (name, isFolder) in entries {
            let path = folder.isEmpty ? name : folder + "/" + name
            if isFolder && folders.contains(path) {
                try removeAbsent(from: path, keeping: files, folders: folders)
            } else if isFolder || !files.contains(path) {
                try FileManager.default.removeItem(atPath: destinationPrefix + path)
            }
        }
    }

    /// Removes the staging folder after a failed build.
    func discardStaging() {
        try? removeIfPresent(staging)
    }

    private func removeIfPresent(_ url: URL) throws {
        if FileManager.default.fileExists(atPath: url.path) { try FileManager.default.removeItem(at: url) }
    }

    /// Atomically swaps two paths with Linux's renameat2(RENAME_EXCHANGE); false where the file system cannot.
    private func exchange(_ a: URL, _ b: URL) -> Bool {
        bulletin_exchange_paths(a.path, b.path) == 0
    }

    private func errnoText() -> String { String(cString: strerror(errno)) }
}

struct PublishError: Error, Sendable, CustomStringConvertible {
    let description: String

    init(_ description: String) { self.description = description }
}
