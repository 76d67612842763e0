import BulletinSupport
import Foundation
import Synchronization

/// What one build leaves for the next, keyed by digests of each stage's inputs: every source as parsed (by
/// path, with the digest of its text and the stamp of its file), the sources in site order with the digests of
/// their facts, the aggregates with the digest of the facts they were made from, and every output file with the
/// fingerprint of its inputs and the stamp it was written with.
public struct MemoRecord<Parsed: Codable & Sendable, Aggregates: Codable & Sendable>: Codable, Sendable {
    /// Changed whenever what is recorded, or what a digest covers, changes: a record of another format is ignored.
    public static var currentFormat: Int { 10 }

    public var format = currentFormat
    /// Digest of the tool and the site settings the sources were parsed with.
    public var settings: UInt64
    public var sources: [String: Source] = [:]
    /// The sources in site order.
    public var order: [OrderedSource] = []
    /// The aggregates and the digest of the facts they were made from.
    public var aggregates: Keyed<Aggregates>?
    /// The digest every page's fingerprint started from (tool, settings, templates).
    public var pagesBase: UInt64 = 0
    public var outputs: [String: Output] = [:]
    public var searchIndex: [String: Output] = [:]
    /// When the build started reading its sources, in nanoseconds since 1970.
    public var sourcesRead = 0

    public init(settings: UInt64) {
        self.settings = settings
    }

    /// A source file as parsed: the digest of its text, the stamp of its file when it was read, the value.
    public struct Source: Codable, Sendable {
        public var key: UInt64
        public var stamp: SourceStamp?
        /// The value; a record read from a file decodes it only where it is used.
        public var stored: Stored<Parsed>

        /// A source parsed by this build.
        public init(key: UInt64, stamp: SourceStamp?, value: Parsed) {
            self.init(key: key, stamp: stamp, stored: Stored(value))
        }

        public init(key: UInt64, stamp: SourceStamp?, stored: Stored<Parsed>) {
            self.key = key
            self.stamp = stamp
            self.stored = stored
        }
    }

    /// A source in site order: its path, the digest of its text and the digest of its facts (what pages other
    /// than its own show of it).
    public struct OrderedSource: Codable, Sendable, Equatable {
        public var path: String
        public var key: UInt64
        public var factsKey: UInt64

        public init(path: String, key: UInt64, factsKey: UInt64) {
            self.path = path
            self.key = key
            self.factsKey = factsKey
        }
    }

    /// An output file: the fingerprint of what it was made from and the stamp it was written with.
    public struct Output: Codable, Sendable, Equatable {
        public var fingerprint: UInt64
        public var stamp: FileStamp

        public init(fingerprint: UInt64, stamp: FileStamp) {
            self.fingerprint = fingerprint
            self.stamp = stamp
        }
    }

    /// A value and the digest of the inputs it was made from.
    public struct Keyed<Value: Codable & Sendable>: Codable, Sendable {
        public var key: UInt64
        public var value: Value

        public init(key: UInt64, value: Value) {
            self.key = key
            self.value = value
        }
    }
}

/// A value of a record, or the bytes it was saved as. A record read from a file holds the bytes alone: each
/// value is decoded by the worker that uses it (`decoded()`), and one still unchanged is saved again as the bytes
/// it was read as (at 10,000 bulletins, decoding every source on reading the record and encoding every one on
/// saving it were most of a build with one file changed). A value made by this process is coded when saved.
/// The value is shared, not copied, by copies of this: a record passes each source through several hands.
public struct Stored<Value: Codable & Sendable>: Codable, Sendable, CodedBytes {
    /// The value, shared by the copies of a `Stored`.
    private final class Box: Sendable {
        let value: Value

        init(_ value: Value) {
            self.value = value
        }
    }

    private let box: Box?
    /// The bytes it was read as; nil for a value made by this process.
    private let savedBytes: [UInt8]?

    /// The value; nil until decoded in a record read from a file.
    public var value: Value? { box?.value }

    public init(_ value: Value) {
        box = Box(value)
        savedBytes = nil
    }

    init(codedBytes: [UInt8]) {
        box = nil
        savedBytes = codedBytes
    }

    private init(value: Value, savedBytes: [UInt8]?) {
        box = Box(value)
        self.savedBytes = savedBytes
    }

    /// The value as `BinaryCoding` codes it.
    func codedBytes() throws -> [UInt8] {
        if let savedBytes { return savedBytes }
        guard let box else { throw BinaryCoding.Malformed() }
        return try BinaryCoding.encode(box.value)
    }

    /// This with its value decoded; throws `BinaryCoding.Malformed` when the bytes are not a value.
    public func decoded() throws -> Stored {
        guard box == nil, let savedBytes else { return self }
        return Stored(value: try BinaryCoding.decode(Value.self, from: savedBytes), savedBytes: savedBytes)
    }

    public init(from decoder: any Decoder) throws {
        self.init(codedBytes: try decoder.singleValueContainer().decode([UInt8].self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(try codedBytes())
    }
}

/// The memo around the build's stages: answers, at each stage boundary, whether the previous build's value for
/// the same inputs can be used, and records this build's values for the next. A previous record made with other
/// settings is not used.
public final class BuildMemo<Parsed: Codable & Sendable, Aggregates: Codable & Sendable>: Sendable {
    public typealias Record = MemoRecord<Parsed, Aggregates>

    /// The previous build's record; empty when there was none or it was made with other settings.
    public let previous: Record
    /// This build's record so far and what it took from the previous one, behind one lock.
    private let current: Mutex<(record: Record, counts: Counts)>

    /// What this build took from the previous one.
    public struct Counts: Sendable {
        public var reusedSources = 0
        public var keptOutputs = 0
        public var reusedAggregates = false
        /// Output files rendered (not kept), in the order recorded.
        public var rendered: [String] = []
        /// Whether anything recorded differs from the previous record.
        var changed = false
    }

    /// A memo over `previous` (when it was made with the same format and `settings`) for a build whose sources
    /// are read from now on.
    public init(previous: Record?, settings: UInt64) {
        if let previous, previous.format == Record.currentFormat, previous.settings == settings {
            self.previous = previous
        } else {
            self.previous = Record(settings: settings)
        }
        var current = Record(settings: settings)
        current.sourcesRead = SourceStamp.now
        self.current = Mutex((current, Counts()))
    }

    // MARK: - Sources

    /// The previous build's value for the source at `path` when its file still has the stamp it had then, so that
    /// it need not be read. A file whose status changed less than a second before that build read it is not
    /// trusted: it could have changed again within the same tick of the file system's clock.
    public func source(path: String, stamp: SourceStamp?) -> Record.Source? {
        guard let stamp, let entry = unchangedSource(path: path), entry.stamp == stamp else { return nil }
        return entry
    }

    /// The previous build's value for the source at `path`, which a watcher says has not changed since; nil when
    /// its file's status changed too close to that build's reading to trust the record.
    public func unchangedSource(path: String) -> Record.Source? {
        guard let entry = previous.sources[path], let stamp = entry.stamp, stamp.changed < previous.sourcesRead - 1_000_000_000 else {
            return nil
        }
        return entry
    }

    /// The previous build's value for the source at `path` whose text has digest `key`.
    public func source(path: String, key: UInt64) -> Record.Source? {
        guard let entry = previous.sources[path], entry.key == key else { return nil }
        return entry
    }

    /// The sources a build records at once, by path, and how many of them the previous build recorded.
    public struct Sources {
        fileprivate var byPath: [String: Record.Source] = [:]
        fileprivate var reused = 0
        fileprivate var changed = false

        /// No sources yet.
        public init() {}

        /// Makes room for `count` sources.
        public mutating func reserveCapacity(_ count: Int) {
            byPath.reserveCapacity(count)
        }

        /// Adds a source; `reused` when its value came from the previous build, `restamped` when the previous
        /// build recorded it with another stamp.
        public mutating func add(_ source: Record.Source, path: String, reused: Bool, restamped: Bool = false) {
            byPath[path] = source
            if reused { self.reused += 1 }
            if !reused || restamped { changed = true }
        }
    }

    /// Records the sources of this build (every source recorded before is replaced).
    public func record(sources: Sources) {
        current.withLock { current in
            current.record.sources = sources.byPath
            current.counts.reusedSources = sources.reused
            if sources.changed { current.counts.changed = true }
        }
    }

    /// Records the sources in site order and the digest every page fingerprint starts from.
    public func record(order: [Record.OrderedSource], pagesBase: UInt64) {
        let changed = order != previous.order || pagesBase != previous.pagesBase
        current.withLock { current in
            current.record.order = order
            current.record.pagesBase = pagesBase
            if changed { current.counts.changed = true }
        }
    }

    /// Whether `order` is the previous build's sources, in its order, with the same facts.
    private func hasFactsOfPrevious(_ order: [Record.OrderedSource]) -> Bool {
        previous.order.count == order.count && zip(previous.order, order).allSatisfy { $0.path == $1.path && $0.factsKey == $1.factsKey }
    }

    /// The positions in `order` of the sources whose text changed when nothing but texts did: the same pages base
    /// (tool, settings, templates) and the same sources in the same order with the same facts. Nil when anything
    /// else may have changed.
    public func textOnlyChanges(order: [Record.OrderedSource], pagesBase: UInt64) -> Set<Int>? {
        guard previous.pagesBase == pagesBase, hasFactsOfPrevious(order) else { return nil }
        return Set(order.indices.filter { previous.order[$0].key != order[$0].key })
    }

    // MARK: - Aggregates

    /// The previous build's aggregates when they were made from facts with digest `key`.
    public func aggregates(key: UInt64) -> Aggregates? {
        guard let previous = previous.aggregates, previous.key == key else { return nil }
        return previous.value
    }

    /// Records this build's aggregates, made from facts with digest `key`; `reused` when they are the previous
    /// build's.
    public func record(aggregates: Aggregates, key: UInt64, reused: Bool) {
        current.withLock { current in
            current.record.aggregates = Record.Keyed(key: key, value: aggregates)
            current.counts.reusedAggregates = reused
            if !reused { current.counts.changed = true }
        }
    }

    // MARK: - Outputs

    /// Records an output file of this build; `rendered` when it was written by this build, not kept.
    public func record(output path: String, _ output: Record.Output, rendered: Bool) {
        current.withLock { current in
            current.record.outputs[path] = output
            if rendered {
                current.counts.rendered.append(path)
                current.counts.changed = true
            } else {
                current.counts.keptOutputs += 1
            }
        }
    }

    /// Records output files kept from the previous build as they were.
    public func record(keptOutputs outputs: [String: Record.Output]) {
        current.withLock { current in
            if current.record.outputs.isEmpty {
                current.record.outputs = outputs
            } else {
                current.record.outputs.merge(outputs) { _, previous in previous }
            }
            current.counts.keptOutputs += outputs.count
        }
    }

    /// Records this build's search index files (kept or written); `kept` counts those kept from the previous build.
    public func record(searchIndex files: [String: Record.Output], kept: Int) {
        let changed = files != previous.searchIndex
        current.withLock { current in
            current.record.searchIndex = files
            current.counts.keptOutputs += kept
            if changed { current.counts.changed = true }
        }
    }

    /// Whether this build's record is the previous one: nothing parsed, rendered or worked out anew, no file
    /// added or removed. Such a record need not be saved again.
    public var isUnchanged: Bool {
        current.withLock { current in
            !current.counts.changed && current.record.sources.count == previous.sources.count
                && current.record.outputs.count == previous.outputs.count && current.record.settings == previous.settings
        }
    }

    /// What this build took from the previous one so far.
    public var taken: Counts { current.withLock { $0.counts } }

    /// This build's record so far.
    public var record: Record { current.withLock { $0.record } }

    // MARK: - Persistence

    /// The record saved at `path`; nil when there is none, or it is cut off, altered or of another form.
    public static func load(from path: String) -> Record? {
        guard var bytes = FileBytes.read(path), bytes.count >= 8 else { return nil }
        let check = bytes.suffix(8).reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        bytes.removeLast(8)
        guard check == checksum(bytes) else { return nil }
        return try? BinaryCoding.decode(Record.self, from: bytes)
    }

    /// What a saved record ends with: a digest of everything before it, so that an altered record is not used.
    private static func checksum(_ bytes: [UInt8]) -> UInt64 {
        var digest = StableDigest()
        digest.addBlock(bytes)
        return digest.value
    }

    /// Saves `record` at `path` through a temporary file renamed into place; a record that cannot be saved is
    /// removed (it only costs the next build its speed). The aggregates are left out: working them out again
    /// (0.4 s at 10,000 bulletins) is faster than coding them (0.6 s); a process that keeps the record in memory
    /// keeps them.
    public static func save(_ record: Record, to path: String) {
        let temporary = path + ".new"
        do {
            let folder = (path as NSString).deletingLastPathComponent
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            var saved = record
            saved.aggregates = nil
            let bytes = try BinaryCoding.encode(saved), check = checksum(bytes)
            try FileBytes.write([bytes, (0..<8).map { UInt8(truncatingIfNeeded: check >> (8 * $0)) }], to: temporary)
            guard rename(temporary, path) == 0 else { throw CocoaError(.fileWriteUnknown) }
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            try? FileManager.default.removeItem(atPath: path)
        }
    }
}
