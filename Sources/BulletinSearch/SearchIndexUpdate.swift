import BulletinModel
import Foundation

/// Builds a search index from the previous build's index and the analyses of the documents that changed, so
/// that an edit of one bulletin does not tokenize the whole archive again. The previous postings are read back,
/// their document ids renumbered (documents added or removed shift them), the changed documents' postings
/// dropped and their new ones merged in; the files are then written as a full build writes them, so the
/// result is byte for byte the index a full build makes.
public enum SearchIndexUpdate {
    /// The index of `documents` (in site order); `previousID` gives, for each, its id in the previous index when
    /// it is unchanged, or nil; `analyzed` holds the analyses of the others by their new id. `previousFile` reads
    /// a file of the previous index by its path in the index. Nil when the previous index cannot be read or does
    /// not fit (ids out of order): the caller then builds the index in full.
    public static func update(
        documents: [SearchDocument], previousID: [Int?], analyzed: [Int: AnalyzedDocument],
        previousFile: @Sendable (String) -> [UInt8]?, layout: SearchIndexLayout = SearchIndexLayout()
    ) -> SearchIndex? {
        guard documents.count == previousID.count, let previous = PreviousIndex(read: previousFile) else { return nil }
        var newID = [Int](repeating: -1, count: previous.metrics.count)
        var last = -1
        for (id, old) in previousID.enumerated() {
            guard let old else { continue }
            guard old > last, old < newID.count else { return nil }
            newID[old] = id
            last = old
        }
        var changes = SearchIndexBuilder(layout: layout)
        var metrics: [(length: Int, headEnd: Int)] = []
        for (id, old) in previousID.enumerated() {
            if let old {
                metrics.append(previous.metrics[old])
            } else {
                guard let analysis = analyzed[id] else { return nil }
                changes.add(documents[id], analyzed: analysis, id: id)
                metrics.append((analysis.length, analysis.headEnd))
            }
        }
        var added: [String: (documents: Int, bytes: [UInt8], positions: [UInt8])] = [:]
        for posting in changes.tokenPostings { added[posting.token] = (posting.documents, posting.bytes, posting.positions) }
        typealias Postings = [(token: String, documents: Int, bytes: [UInt8], positions: [UInt8])]
        // When no document was added or removed, a token that none of the changed documents had nor has keeps
        // its postings byte for byte.
        let sameIDs = newID.count == documents.count && newID.enumerated().allSatisfy { $0.element < 0 || $0.element == $0.offset }
        // Tokens merged in parts side by side; each part's postings are its own.
        let tokens = Array(previous.tokens), parts = 16, renumbering = newID, addedPostings = added
        let merged = (0..<parts).map { _ in LockedValue<Postings?>(nil) }
        // A part left nil failed to merge.
        DispatchQueue.concurrentPerform(iterations: parts) { part in
            var postings: Postings = []
            for (token, record) in tokens[tokens.count * part / parts..<tokens.count * (part + 1) / parts] {
                let addedToToken = addedPostings[token]
                if sameIDs && addedToToken == nil, let kept = try? PostingMerge.keepsEveryDocument(record, renumberedBy: renumbering), kept {
                    postings.append((token, record.documents, record.bytes, record.positions))
                    continue
                }
                guard let list = try? PostingMerge.merge(record, renumberedBy: renumbering, with: addedToToken) else { return }
                if list.documents > 0 { postings.append((token, list.documents, list.bytes, list.positions)) }
            }
            merged[part].set(postings)
        }
        var postings: Postings = []
        for part in merged {
            guard let part = part.get() else { return nil }
            postings += part
        }
        for (token, record) in added where previous.tokens[token] == nil {
            postings.append((token, record.documents, record.bytes, record.positions))
        }
        return SearchIndex(documents: documents, metrics: metrics, postings: postings, layout: layout)
    }
}

/// Merges a token's postings, streaming: the previous index's, renumbered, with the changed documents'.
private enum PostingMerge {
    typealias Malformed = VarIntReader.Malformed

    /// One document of a token's postings and where its bytes are.
    struct Entry {
        var id: Int
        /// The gap to the previous document's id, as stored.
        var gap: Int
        /// The whole entry (gap and count) in the term bytes, and where the count starts.
        var term: Range<Int>
        var countStart: Int
        /// The whole entry (gap, number of positions, positions) in the position bytes, and where the number of
        /// positions starts; nil for tokens without positions.
        var position: Range<Int>?
        var positionCountStart: Int
    }

    /// Reads one token's postings a document at a time.
    struct Cursor {
        private var terms: VarIntReader
        private var positions: VarIntReader?
        let termBytes: [UInt8]
        let positionBytes: [UInt8]
        private var remaining: Int
        private var id = 0
        private var positionID = 0

        init(documents: Int, bytes: [UInt8], positions: [UInt8]) {
            terms = VarIntReader(bytes)
            termBytes = bytes
            positionBytes = positions
            self.positions = positions.isEmpty ? nil : VarIntReader(positions)
            remaining = documents
        }

        mutating func next() throws -> Entry? {
            guard remaining > 0 else {
                guard terms.isAtEnd, positions?.isAtEnd ?? true else { throw Malformed() }
                return nil
            }
            remaining -= 1
            let termStart = terms.offset
            let gap = try terms.next()
            id += gap
            let countStart = terms.offset
            _ = try terms.next()
            var entry = Entry(id: id, gap: gap, term: termStart..<terms.offset, countStart: countStart, position: nil, positionCountStart: 0)
            guard var reader = positions else { return entry }
            let positionStart = reader.offset
            positionID += try reader.next()
            guard positionID == id else { throw Malformed() }
            entry.positionCountStart = reader.offset
            for _ in 0..<(try reader.next()) { _ = try reader.next() }
            positions = reader
            entry.position = positionStart..<reader.offset
            return entry
        }
    }

    /// Whether every document in a token's previous postings is kept (`newID` not negative), reading only the
    /// document ids.
    static func keepsEveryDocument(_ previous: (documents: Int, bytes: [UInt8], positions: [UInt8]), renumberedBy newID: [Int]) throws -> Bool {
        var terms = VarIntReader(previous.bytes)
        var id = 0
        for _ in 0..<previous.documents {
            id += try terms.next()
            _ = try terms.next()
            guard id < newID.count else { throw Malformed() }
            if newID[id] < 0 { return false }
        }
        guard terms.isAtEnd else { throw Malformed() }
        return true
    }

    /// The merged postings. Runs of previous entries whose gap is unchanged by the renumbering are copied as
    /// they are; the others are written again with their new gap.
    static func merge(_ previous: (documents: Int, bytes: [UInt8], positions: [UInt8]), renumberedBy newID: [Int],
                      with changed: (documents: Int, bytes: [UInt8], positions: [UInt8])?) throws
        -> (documents: Int, bytes: [UInt8], positions: [UInt8]) {
        var old = Cursor(documents: previous.documents, bytes: previous.bytes, positions: previous.positions)
        var new = changed.map { Cursor(documents: $0.documents, bytes: $0.bytes, positions: $0.positions) }
        var result = (documents: 0, bytes: [UInt8](), positions: [UInt8]())
        result.bytes.reserveCapacity(previous.bytes.count + (changed?.bytes.count ?? 0))
        result.positions.reserveCapacity(previous.positions.count + (changed?.positions.count ?? 0))
        var last = 0
        // Previous entries waiting to be copied as they are: their bytes in the term and position bytes.
        var run: (term: Range<Int>, position: Range<Int>)?
        func flush() {
            guard let pending = run else { return }
            result.bytes += old.termBytes[pending.term]
            result.positions += old.positionBytes[pending.position]
            run = nil
        }
        /// Writes an entry of `cursor` with the gap to `id`.
        func rewrite(_ entry: Entry, as id: Int, from cursor: Cursor) {
            flush()
            VarInt.append(id - last, to: &result.bytes)
            result.bytes += cursor.termBytes[entry.countStart..<entry.term.upperBound]
            if let position = entry.position {
                VarInt.append(id - last, to: &result.positions)
                result.positions += cursor.positionBytes[entry.positionCountStart..<position.upperBound]
            }
        }
        func nextOld() throws -> (entry: Entry, id: Int)? {
            while let entry = try old.next() {
                guard entry.id < newID.count else { throw Malformed() }
                if newID[entry.id] >= 0 { return (entry, newID[entry.id]) }
            }
            return nil
        }
        var a = try nextOld()
        var b = try new?.next()
        while a != nil || b != nil {
            if let (entry, id) = a, b == nil || id < b!.id {
                let position = entry.position ?? 0..<0
                if id - last != entry.gap {
                    rewrite(entry, as: id, from: old)
                } else if let pending = run, pending.term.upperBound == entry.term.lowerBound {
                    run = (pending.term.lowerBound..<entry.term.upperBound, pending.position.lowerBound..<position.upperBound)
                } else {
                    flush()
                    run = (entry.term, position)
                }
                last = id
                a = try nextOld()
            } else if let entry = b {
                rewrite(entry, as: entry.id, from: new!)
                last = entry.id
                b = try new!.next()
            }
            result.documents += 1
        }
        flush()
        return result
    }
}

/// The previous build's index read back from its files.
private struct PreviousIndex {
    var metrics: [(length: Int, headEnd: Int)] = []
    var tokens: [String: (documents: Int, bytes: [UInt8], positions: [UInt8])] = [:]

    init?(read: @Sendable (String) -> [UInt8]?) {
        guard let manifestBytes = read("index.json"),
              let manifest = try? JSONSerialization.jsonObject(with: Data(manifestBytes)) as? [String: Any],
              manifest["format"] as? Int == SearchIndex.formatVersion,
              let documentCount = manifest["documents"] as? Int, let termShards = manifest["termShards"] as? Int,
              let positionShards = manifest["positionShards"] as? Int, let meta = read("meta.bin") else { return nil }
        do {
            var reader = VarIntReader(meta)
            for _ in 0..<documentCount {
                metrics.append((try reader.next(), try reader.next()))
                _ = try reader.next()  // year
                for _ in 0..<(try reader.next()) { _ = try reader.next() }  // tags
                for _ in 0..<(try reader.next()) { _ = try reader.next() }  // districts
            }
            guard reader.isAtEnd else { return nil }
            for (token, documents, data) in try Self.records(folder: "terms", shards: termShards, read: read) {
                tokens[token] = (documents, data, [])
            }
            for (token, documents, data) in try Self.records(folder: "positions", shards: positionShards, read: read) {
                guard tokens[token]?.documents == documents else { throw PostingMerge.Malformed() }
                tokens[token]!.positions = data
            }
        } catch {
            return nil
        }
    }

    /// The records of every shard of a folder, read side by side: token, document count and postings.
    private static func records(folder: String, shards: Int, read: @Sendable (String) -> [UInt8]?) throws
        -> [(String, Int, [UInt8])] {
        let parts = (0..<shards).map { _ in LockedValue<[(String, Int, [UInt8])]?>(nil) }
        // A shard left nil could not be read.
        DispatchQueue.concurrentPerform(iterations: shards) { shard in
            var records: [(String, Int, [UInt8])] = []
            guard (try? Self.records(folder: folder, shard: shard, read: read) { records.append(($0, $1, $2)) }) != nil else { return }
            parts[shard].set(records)
        }
        return try parts.flatMap { part in
            guard let records = part.get() else { throw PostingMerge.Malformed() }
            return records
        }
    }

    /// Calls `body` with each record of a shard: its token, document count and postings (from the shard or
    /// from the token's own file).
    private static func records(folder: String, shard: Int, read: (String) -> [UInt8]?,
                                _ body: (String, Int, [UInt8]) throws -> Void) throws {
        guard let file = read("\(folder)/\(shard).bin") else { throw PostingMerge.Malformed() }
        var reader = VarIntReader(file)
        while !reader.isAtEnd {
            let token = try reader.bytes(count: try reader.next())
            let documents = try reader.next()
            let sizeAndFlag = try reader.next()
            let data: [UInt8]
            if sizeAndFlag & 1 == 1 {
                guard let own = read(SearchIndex.ownFilePath(folder: folder, token: Array(token))) else { throw PostingMerge.Malformed() }
                data = own
            } else {
                data = Array(try reader.bytes(count: sizeAndFlag >> 1))
            }
            guard let text = String(validating: token, as: UTF8.self) else { throw PostingMerge.Malformed() }
            try body(text, documents, data)
        }
    }
}
