import BulletinModel
import BulletinSearch
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What one build leaves for the next, in a folder of the site (`.bulletin-cache/`): every bulletin as
/// decoded, keyed by a digest of its file, and every output file with a digest of everything it was made from
/// and the size, time and inode it was written with.
///
/// A later build reuses a bulletin whose file is unchanged instead of parsing it, and links an output file
/// whose inputs are unchanged from the previous output instead of rendering it, after checking that the file
/// there is still the one written. A record that cannot be read, of another format, or written by another
/// build of the tool or with other settings is ignored: the build then starts from nothing and replaces it.
final class BuildCache: @unchecked Sendable {
    /// Bumped whenever what is recorded, or what a digest covers, changes.
    static let format = 7
    static let recordName = "record.bin"

    /// Where the record is saved; nil keeps it only in `memory`.
    let folder: URL?
    /// What a long-running process keeps between builds.
    private let memory: BuildMemory?
    /// The record read from memory or the folder, before its settings are compared.
    private var stored: CacheRecord?
    /// The previous build's record; empty when there was none or it could not be trusted.
    private(set) var previous = CacheRecord(settings: 0)
    private(set) var settings: UInt64 = 0
    /// What this build will record.
    private let lock = NSLock()
    private var sources: [String: CachedSource] = [:]
    private var outputs: [String: CachedOutput] = [:]
    private var searchIndex: [String: CachedOutput] = [:]
    private var rendered: [String] = []
    private var bulletinOrder: [IndexedBulletin] = []
    private var pagesBase: UInt64 = 0
    private var aggregates: SiteAggregates?
    /// The search index this build made, by path in the index, to remember (only with `memory`).
    private var madeSearchFiles: [String: [UInt8]]?
    /// When this build started reading bulletin files, in nanoseconds since 1970.
    private var readStart = 0
    /// Bulletin files taken from the cache in this build.
    private(set) var reusedSources = 0
    /// Output files kept from the previous build in this build.
    private(set) var keptOutputs = 0
    /// Whether this build took its aggregates from the previous one.
    private(set) var reusedAggregates = false

    /// Takes the previous build's record from `memory`, else reads the one in `folder` if there is one.
    init(folder: URL?, memory: BuildMemory? = nil) {
        self.folder = folder
        self.memory = memory
        stored = memory?.state.get().record ?? folder.flatMap { folder in
            FileBytes.read(folder.appending(path: Self.recordName).path).flatMap { try? CacheRecord(decoding: $0) }
        }
    }

    /// Starts a build whose bulletins are decoded with `settings` (a digest of the tool and the site settings):
    /// the previous record is used only when it was made with the same.
    func begin(settings: UInt64) {
        self.settings = settings
        readStart = SourceStamp.now
        if let stored, stored.settings == settings { previous = stored }
        lock.withLock { sources.reserveCapacity(previous.sources.count) }
    }

    /// A digest of the running executable (its size, time and inode): a rebuilt tool may render differently.
    static let toolIdentity: UInt64 = {
        var digest = StableDigest()
        var info = stat()
        if stat("/proc/self/exe", &info) == 0 {
            let stamp = FileStamp(info)
            digest.add(stamp.size)
            digest.add(stamp.modified)
            digest.add(stamp.inode)
        }
        return digest.value
    }()

    // MARK: - Bulletins

    /// The decoded bulletin of the previous build for the file at `path` with text digest `key`.
    func cachedSource(path: String, key: UInt64) -> CachedSource? {
        guard let entry = previous.sources[path], entry.key == key else { return nil }
        return entry
    }

    /// The decoded bulletin of the previous build for the file at `path` when the file still has the stamp it
    /// had when that build read it, so that it need not be read. A file whose status changed less than a second
    /// before the previous build started reading is not trusted: it could have changed again within the same
    /// tick of the file system's clock.
    func cachedSource(path: String, stamp: SourceStamp) -> CachedSource? {
        unchangedSource(path: path).flatMap { $0.stamp == stamp ? $0 : nil }
    }

    /// The decoded bulletin of the previous build for the file at `path`, which a watcher says has not changed
    /// since; nil when the file's status changed too close to that build's reading to trust the record.
    func unchangedSource(path: String) -> CachedSource? {
        guard let entry = previous.sources[path], let stamp = entry.stamp, stamp.changed < previous.sourcesRead - 1_000_000_000 else {
            return nil
        }
        return entry
    }

    /// The bulletin files of `folder` as a build of this process last listed them.
    func rememberedListing(of folder: String) -> FileListing? {
        memory?.state.get().listing.flatMap { $0.folder == folder ? $0.files : nil }
    }

    /// Keeps this build's list of bulletin files in memory, when the process remembers builds.
    func remember(listing: FileListing, of folder: String) {
        memory?.state.update { $0.listing = (folder, listing) }
    }

    /// Records a bulletin file of this build; `reused` when it came from the cache.
    func record(_ source: CachedSource, path: String, reused: Bool) {
        lock.withLock {
            sources[path] = source
            if reused { reusedSources += 1 }
        }
    }

    // MARK: - Outputs

    /// Keeps the previous build's output file at `path` (`OutputPublisher.linkPrevious`) and records it when it
    /// was made from inputs with `fingerprint` and is still there unchanged; false when it must be rendered.
    func keepOutput(_ path: String, fingerprint: UInt64, publisher: OutputPublisher) -> Bool {
        guard let entry = previous.outputs[path], entry.fingerprint == fingerprint,
              FileStamp(path: publisher.destination.path + "/" + path) == entry.stamp, publisher.linkPrevious(path) else { return false }
        lock.withLock {
            outputs[path] = entry
            keptOutputs += 1
        }
        return true
    }

    /// Keeps every output file of the previous build but those at `excluded`, after checking (`checkingStamps`;
    /// not for a folder only these builds change) that each is still there unchanged; false, with none kept,
    /// when one is not or cannot be kept.
    func keepPreviousOutputs(except excluded: Set<String>, checkingStamps: Bool, publisher: OutputPublisher) -> Bool {
        var kept = previous.outputs
        for path in excluded { kept[path] = nil }
        if checkingStamps {
            let entries = Array(kept), parts = 8
            let intact = concurrentMap(parts) { part in
                entries[entries.count * part / parts..<entries.count * (part + 1) / parts].allSatisfy { path, entry in
                    FileStamp(path: publisher.destination.path + "/" + path) == entry.stamp
                }
            }
            guard !intact.contains(false) else { return false }
        }
        guard publisher.keepPrevious(Array(kept.keys)) else { return false }
        lock.withLock {
            if outputs.isEmpty { outputs = kept } else { outputs.merge(kept) { _, previous in previous } }
            keptOutputs += kept.count
        }
        return true
    }

    /// Records an output file of this build; `rendered` when it was not kept from the previous build.
    func record(output path: String, fingerprint: UInt64, stamp: FileStamp, rendered: Bool) {
        lock.withLock {
            outputs[path] = CachedOutput(fingerprint: fingerprint, stamp: stamp)
            if rendered { self.rendered.append(path) }
        }
    }

    /// The output files rendered in this build, sorted.
    var renderedFiles: [String] { lock.withLock { rendered.sorted() } }

    /// Records a file of this build's search index.
    func record(searchFile path: String, fingerprint: UInt64, stamp: FileStamp) {
        lock.withLock { searchIndex[path] = CachedOutput(fingerprint: fingerprint, stamp: stamp) }
    }

    /// Whether the previous build's search index was made from inputs with `fingerprint` and every file of it
    /// is still unchanged in `destination`.
    func searchIndexUnchanged(fingerprint: UInt64, in destination: URL) -> Bool {
        previous.searchIndex.values.allSatisfy { $0.fingerprint == fingerprint } && previousSearchIndexIntact(in: destination)
    }

    /// Keeps the previous build's search index (`OutputPublisher.keepPrevious`) after `searchIndexUnchanged`
    /// said it can; false (with nothing kept) when that fails.
    func keepSearchIndex(publisher: OutputPublisher) -> Bool {
        let files = previous.searchIndex
        guard publisher.keepPrevious(Array(files.keys)) else { return false }
        lock.withLock { searchIndex = files }
        return true
    }

    /// Keeps a file of the previous build's search index whose bytes the updated index has too (links it into
    /// the staging folder, or leaves it in place), recorded for `fingerprint`; false when it must be written.
    func keepSearchFile(_ path: String, fingerprint: UInt64, publisher: OutputPublisher) -> Bool {
        guard let entry = previous.searchIndex[path], publisher.linkPrevious(path) else { return false }
        lock.withLock {
            searchIndex[path] = CachedOutput(fingerprint: fingerprint, stamp: entry.stamp)
            keptOutputs += 1
        }
        return true
    }

    /// The previous build's search index when every file of it is still unchanged in `destination`: the
    /// bulletins it indexed in order, and a reader of its files.
    /// A process that remembers the index it published reads it from memory.
    func previousSearchIndex(in destination: URL) -> PreviousSearchIndex? {
        let files = previous.searchIndex
        guard !previous.bulletinOrder.isEmpty, !files.isEmpty else { return nil }
        if let remembered = memory?.state.get().searchFiles, remembered.count == files.count {
            return PreviousSearchIndex(order: previous.bulletinOrder) { remembered[$0] }
        }
        guard previousSearchIndexIntact(in: destination) else { return nil }
        let folder = destination.path + "/" + SitePaths.search
        return PreviousSearchIndex(order: previous.bulletinOrder) { path in
            guard files[SitePaths.search + path] != nil else { return nil }
            return FileBytes.read(folder + path)
        }
    }

    /// Whether the previous build wrote a search index and every file of it is still unchanged in `destination`.
    private func previousSearchIndexIntact(in destination: URL) -> Bool {
        !previous.searchIndex.isEmpty
            && previous.searchIndex.allSatisfy { FileStamp(path: destination.path + "/" + $0.key) == $0.value.stamp }
    }

    /// Keeps the search index this build made in memory for the next build, when the process remembers builds.
    func remember(searchIndex files: [SearchFile]) {
        guard memory != nil else { return }
        let byPath = Dictionary(uniqueKeysWithValues: files.map { ($0.path, $0.bytes) })
        lock.withLock { madeSearchFiles = byPath }
    }

    /// Records the bulletins of this build in order, and the digest every page fingerprint starts from.
    func record(bulletinOrder: [IndexedBulletin], pagesBase: UInt64) {
        lock.withLock {
            self.bulletinOrder = bulletinOrder
            self.pagesBase = pagesBase
        }
    }

    /// The bulletins whose file changed since the previous build when nothing but bodies did: the same tool,
    /// settings and templates (`base`), the same bulletins in the same order with the same facts. Nil when
    /// anything else may have changed. A body shows only on its bulletin's page and text edition, so every other
    /// page keeps its previous fingerprint.
    func bodyOnlyChanges(base: UInt64, bulletins: [LoadedBulletin]) -> Set<Int>? {
        guard previous.pagesBase == base, haveFactsOfPrevious(bulletins) else { return nil }
        return Set(bulletins.indices.filter { previous.bulletinOrder[$0].key != bulletins[$0].sourceKey })
    }

    /// Whether `bulletins` (in site order) are the previous build's files in its order with the same facts
    /// (front matter and summary).
    private func haveFactsOfPrevious(_ bulletins: [LoadedBulletin]) -> Bool {
        previous.bulletinOrder.count == bulletins.count
            && zip(previous.bulletinOrder, bulletins).allSatisfy { $0.path == $1.sourcePath && $0.factsKey == $1.factsKey }
    }

    /// Whether the previous build's output files are recorded (and can be kept).
    var hasPreviousOutputs: Bool { !previous.outputs.isEmpty }

    /// The previous build's fingerprint of an output file.
    func previousFingerprint(_ path: String) -> UInt64? { previous.outputs[path]?.fingerprint }

    /// Files and bytes of the search index recorded in this build.
    var searchIndexSize: (files: Int, bytes: Int) {
        lock.withLock { (searchIndex.count, searchIndex.values.reduce(0) { $0 + $1.stamp.size }) }
    }

    // MARK: - Aggregates

    /// The previous build's aggregates when `order` holds the same bulletin files in the same order with the same
    /// facts: the aggregates are made of nothing else. Nil when they differ, or when the record's aggregates cannot
    /// be read.
    func previousAggregates(for order: SiteOrder) -> SiteAggregates? {
        haveFactsOfPrevious(order.bulletins) ? previous.decodedAggregates() : nil
    }

    /// Records this build's aggregates; `reused` when they are `previousAggregates(for:)`, whose bytes in the record
    /// are then written back as they are.
    func remember(aggregates: SiteAggregates, reused: Bool) {
        lock.withLock {
            self.aggregates = aggregates
            reusedAggregates = reused
        }
    }

    // MARK: - Saving

    /// Keeps this build's record (after the output is published) in memory, or writes it through a temporary
    /// file renamed into place. A failure only costs the next build its speed.
    func save() {
        let record = lock.withLock {
            CacheRecord(settings: settings, sources: sources, outputs: outputs, searchIndex: searchIndex, bulletinOrder: bulletinOrder,
                        pagesBase: pagesBase, sourcesRead: readStart, aggregates: aggregates,
                        encodedAggregates: reusedAggregates ? previous.encodedAggregates : nil)
        }
        let searchFiles = lock.withLock { madeSearchFiles }
        memory?.state.update { state in
            state.record = record
            if let searchFiles { state.searchFiles = searchFiles }
        }
        guard let folder else { return }
        let file = folder.appending(path: Self.recordName)
        let temporary = folder.appending(path: Self.recordName + ".new")
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try FileBytes.write(record.encodedPieces(), to: temporary.path)
            guard rename(temporary.path, file.path) == 0 else { throw PublishError(String(cString: strerror(errno))) }
        } catch {
            try? FileManager.default.removeItem(at: file)
        }
    }
}

/// What a long-running process (`bulletin serve`) keeps from one build for the next, instead of a cache
/// folder: the build cache's record, with the site's aggregates, so that a rebuild reads nothing back; the files it
/// published, so that a rebuild need not list the destination to find those to remove; the search index, read
/// back from here to be updated; and the list of bulletin files. Builds with it assume that nothing else changes
/// their destination (a private preview folder).
public final class BuildMemory: Sendable {
    struct State {
        var record: CacheRecord?
        /// The files the last build published, and where.
        var published: (destination: String, files: Set<String>)?
        /// The files of the search index of `record`, by path in the index.
        var searchFiles: [String: [UInt8]]?
        /// The bulletin files of a content folder as last listed.
        var listing: (folder: String, files: FileListing)?
    }

    let state = LockedValue(State())

    public init() {}
}

/// The cache's record of a build.
struct CacheRecord {
    /// The first bytes of a record file.
    static let magic = Array("bulletin build cache\n".utf8)
    /// The parts the bulletins are written in.
    static let parts = 8

    var settings: UInt64
    /// By file path below the site.
    var sources: [String: CachedSource] = [:]
    /// By output path.
    var outputs: [String: CachedOutput] = [:]
    /// The files of the search index by output path, all with the digest of the index's inputs.
    var searchIndex: [String: CachedOutput] = [:]
    /// The bulletins of the build in site order (which is also their id in the search index).
    var bulletinOrder: [IndexedBulletin] = []
    /// The digest of the tool, site settings and templates that every page fingerprint started from.
    var pagesBase: UInt64 = 0
    /// When the build started reading bulletin files, in nanoseconds since 1970.
    var sourcesRead = 0
    /// The aggregates of `bulletinOrder`, as worked out or reused by the build that recorded them.
    var aggregates: SiteAggregates?
    /// The aggregates as a record file holds them: read back as bytes, decoded only for a build that reuses them,
    /// and written back as they are by a build that reused them.
    var encodedAggregates: [UInt8]?

    /// The record as bytes, paths in sorted order.
    func encoded() -> [UInt8] { Array(encodedPieces().joined()) }

    /// The record's bytes in consecutive pieces (the bulletins' parts as they were encoded), to be written one
    /// after another: joined, the record was held twice or more (tens of megabytes, the peak of a first build).
    func encodedPieces() -> [[UInt8]] {
        var writer = CacheWriter()
        writer.write(bytes: Self.magic)
        writer.write(BuildCache.format)
        writer.write(settings)
        // The bulletins in parts of their own length, so that reading can decode the parts side by side.
        let paths = sources.keys.sorted()
        let parts = (0..<Self.parts).map { part in
            var writer = CacheWriter()
            writer.write(Array(paths[paths.count * part / Self.parts..<paths.count * (part + 1) / Self.parts])) { writer, path in
                let source = sources[path]!
                writer.write(path)
                writer.write(source.stamp) { writer, stamp in
                    writer.write(stamp.digest)
                    writer.write(stamp.changed)
                }
                if let encoded = source.encoded {
                    writer.write(bytes: encoded)
                    return
                }
                writer.write(source.key)
                writer.write(source.factsKey)
                writer.write(source.bulletin)
                writer.write(source.summary)
                writer.write(source.diagnostics) { $0.write($1) }
            }
            return writer.bytes
        }
        writer.write(parts.count)
        var pieces: [[UInt8]] = []
        for part in parts {
            writer.write(part.count)
            pieces += [writer.bytes, part]
            writer = CacheWriter()
        }
        for files in [outputs, searchIndex] {
            writer.write(files.keys.sorted()) { writer, path in
                writer.write(path)
                writer.write(files[path]!.fingerprint)
                writer.write(files[path]!.stamp.size)
                writer.write(files[path]!.stamp.modified)
                writer.write(files[path]!.stamp.inode)
            }
        }
        writer.write(bulletinOrder) { writer, bulletin in
            writer.write(bulletin.path)
            writer.write(bulletin.key)
            writer.write(bulletin.factsKey)
        }
        writer.write(pagesBase)
        writer.write(sourcesRead)
        let aggregatePieces = encodedAggregates.map { [$0] } ?? aggregates?.encodedPieces(paths: bulletinOrder.map(\.path))
        writer.write(aggregatePieces != nil)
        guard let aggregatePieces else { return pieces + [writer.bytes] }
        writer.write(aggregatePieces.reduce(0) { $0 + $1.count })
        return pieces + [writer.bytes] + aggregatePieces
    }

    /// The aggregates of `bulletinOrder`: as kept, else decoded from the record file; nil when there are none or
    /// their bytes are malformed.
    func decodedAggregates() -> SiteAggregates? {
        if let aggregates { return aggregates }
        return encodedAggregates.flatMap { try? SiteAggregates(decoding: $0, paths: bulletinOrder.map(\.path)) }
    }
}

extension CacheRecord {
    /// Reads a record; throws when the bytes are not one, or one of another format.
    init(decoding bytes: [UInt8]) throws {
        guard bytes.starts(with: Self.magic) else { throw CacheReader.Malformed() }
        var reader = CacheReader(Array(bytes[Self.magic.count...]))
        guard try reader.int() == BuildCache.format else { throw CacheReader.Malformed() }
        settings = try reader.unsigned()
        let parts = try reader.array { reader in Array(try reader.bytes(count: try reader.int())) }
        let decoded = concurrentMap(parts.count) { part -> [(String, CachedSource)]? in
            var reader = CacheReader(parts[part])
            let sources = try? reader.array { reader in
                let path = try reader.string()
                let stamp = try reader.optional { SourceStamp(digest: try $0.unsigned(), changed: try $0.int()) }
                let start = reader.offset
                let key = try reader.unsigned(), factsKey = try reader.unsigned(), bulletin = try reader.bulletin()
                let summary = try reader.string(), diagnostics = try reader.array { try $0.diagnostic() }
                return (path, CachedSource(key: key, factsKey: factsKey, bulletin: bulletin, summary: summary, diagnostics: diagnostics,
                                           stamp: stamp, encoded: reader.bytes(since: start)))
            }
            return reader.isAtEnd ? sources : nil
        }
        var sources: [(String, CachedSource)] = []
        for part in decoded {
            guard let part else { throw CacheReader.Malformed() }
            sources += part
        }
        func files(_ reader: inout CacheReader) throws -> [String: CachedOutput] {
            let files = try reader.array { reader in
                (try reader.string(), CachedOutput(fingerprint: try reader.unsigned(), stamp: FileStamp(
                    size: try reader.int(), modified: try reader.int(), inode: try reader.unsigned())))
            }
            return Dictionary(files) { first, _ in first }
        }
        outputs = try files(&reader)
        searchIndex = try files(&reader)
        bulletinOrder = try reader.array { reader in
            IndexedBulletin(path: try reader.string(), key: try reader.unsigned(), factsKey: try reader.unsigned())
        }
        pagesBase = try reader.unsigned()
        sourcesRead = try reader.int()
        encodedAggregates = try reader.optional { Array(try $0.bytes(count: try $0.int())) }
        guard reader.isAtEnd else { throw CacheReader.Malformed() }
        self.sources = Dictionary(sources) { first, _ in first }
    }
}

/// A bulletin of a build, in the build's order (its id in the search index): which file, with which text and facts.
struct IndexedBulletin: Equatable {
    var path: String
    var key: UInt64
    var factsKey: UInt64
}

/// The previous build's search index, to be updated rather than built again.
struct PreviousSearchIndex {
    /// The bulletins indexed, by document id.
    var order: [IndexedBulletin]
    /// Reads a file of the index by its path in the index folder.
    var read: @Sendable (String) -> [UInt8]?
}

/// A bulletin file as the previous build decoded it.
/// An object, so that the 10,000s of them a build takes over from the previous one are passed by reference
/// rather than copied with every value of their bulletin.
final class CachedSource: Sendable {
    /// Digest of the file's text.
    let key: UInt64
    /// Digest of what other pages show of the bulletin: its front matter and summary.
    let factsKey: UInt64
    let bulletin: Bulletin
    let summary: String
    let diagnostics: [Diagnostic]
    /// The file's stamp when it was read.
    let stamp: SourceStamp?
    /// The entry as the record read it (all but the path and stamp), written back as it is.
    let encoded: ArraySlice<UInt8>?

    init(key: UInt64, factsKey: UInt64, bulletin: Bulletin, summary: String, diagnostics: [Diagnostic], stamp: SourceStamp? = nil,
         encoded: ArraySlice<UInt8>? = nil) {
        self.key = key
        self.factsKey = factsKey
        self.bulletin = bulletin
        self.summary = summary
        self.diagnostics = diagnostics
        self.stamp = stamp
        self.encoded = encoded
    }

    /// The same entry for the file with another stamp.
    func with(stamp: SourceStamp?) -> CachedSource {
        CachedSource(key: key, factsKey: factsKey, bulletin: bulletin, summary: summary, diagnostics: diagnostics, stamp: stamp,
                     encoded: encoded)
    }
}

/// What tells a bulletin file apart from an edited one without reading it: a digest of its size, modification
/// and status-change times and inode, and the status-change time (which no one can set back).
struct SourceStamp: Equatable {
    var digest: UInt64
    /// Nanoseconds since 1970.
    var changed: Int

    init(digest: UInt64, changed: Int) {
        self.digest = digest
        self.changed = changed
    }

    /// The stamp of the file at `path` (links followed, as reading does); nil when it cannot be read.
    init?(path: String) {
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
    static var now: Int {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return time.nanoseconds
    }
}

extension timespec {
    /// The time in nanoseconds.
    var nanoseconds: Int { Int(tv_sec) * 1_000_000_000 + Int(tv_nsec) }
}

/// An output file as the previous build wrote it.
struct CachedOutput {
    /// Digest of everything the file was made from.
    var fingerprint: UInt64
    var stamp: FileStamp
}

/// What tells a file apart from a rewritten one without reading it: size, modification time and inode.
struct FileStamp: Equatable {
    var size: Int
    var modified: Int
    var inode: UInt64

    init(size: Int, modified: Int, inode: UInt64) {
        self.size = size
        self.modified = modified
        self.inode = inode
    }

    init(_ info: stat) {
        size = Int(info.st_size)
        modified = info.st_mtim.nanoseconds
        inode = UInt64(info.st_ino)
    }

    /// The stamp of a regular file, nil for anything else.
    init?(path: String) {
        var info = stat()
        guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
        self.init(info)
    }
}
