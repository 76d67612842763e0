import BulletinModel
import BulletinSupport
import Foundation

/// Builds a search index from the previous build's index and the analyses of the documents that changed, so
/// that an edit of one bulletin does not tokenize the whole archive again. The result is byte for byte the
/// index a full build makes.
///
/// When no document was added or removed (every unchanged document keeps its id), only the tokens of the
/// changed documents are merged again and only the files holding them are laid out again: every other file is
/// the previous one, and `keptFiles` says which. Otherwise every token's postings are read back, their
/// document ids renumbered (documents added or removed shift them), the changed documents' postings dropped and
/// their new ones merged in, and the files laid out as a full build lays them out.
public enum SearchIndexUpdate {
    /// The index of `documents` (in site order); `previousID` gives, for each, its id in the previous index when
    /// it is unchanged, or nil; `analyzed` holds the analyses of the others by their new id. `documents` is nil
    /// when every document is the previous index's in the same place with the same metadata (title, address,
    /// date, tags, districts: only texts changed); the document table is then the previous one with new
    /// lengths. `previousFile` reads a file of the previous index by its path in the index. Nil when the
    /// previous index cannot be read or does not fit (ids out of order): the caller then builds the index in full.
    public static func update(
        documents: [SearchDocument]?, previousID: [Int?], analyzed: [Int: AnalyzedDocument],
        previousFile: @escaping @Sendable (String) -> [UInt8]?, layout: SearchIndexLayout = SearchIndexLayout()
    ) -> SearchIndex? {
        let count = previousID.count
        guard documents == nil || documents?.count == count, let previous = PreviousIndex(read: previousFile, layout: layout) else { return nil }
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
                changes.addPostings(analysis, id: id)
                metrics.append((analysis.length, analysis.headEnd))
            }
        }
        let added = changes.tokenPostings
        let sameIDs = newID.count == count && newID.enumerated().allSatisfy { $0.element < 0 || $0.element == $0.offset }
        let table: DocumentTable
        if let documents {
            table = DocumentTable(documents: documents, metrics: metrics, previousChunks: sameIDs ? previous.chunks(keeping: newID) : [:])
        } else if sameIDs, let previousTable = previous.table(metrics: metrics) {
            table = previousTable
        } else {
            return nil
        }
        var index: SearchIndex
        if sameIDs, let patched = patch(previous, table: table, added: added, newID: newID, layout: layout) {
            index = patched
        } else {
            guard let merged = mergeAll(previous, table: table, added: added, newID: newID, layout: layout) else {
                return nil
            }
            index = merged
        }
        index.keptFiles = previous.unchangedPaths(of: index.files)
        return index
    }

    /// Every token merged again and laid out in full.
    private static func mergeAll(
        _ previous: PreviousIndex, table: DocumentTable,
        added: [(token: String, documents: Int, bytes: [UInt8], positions: [UInt8])], newID: [Int], layout: SearchIndexLayout
    ) -> SearchIndex? {
        guard let previousTokens = try? previous.tokens() else { return nil }
        var addedPostings: [String: (documents: Int, bytes: [UInt8], positions: [UInt8])] = [:]
        for posting in added { addedPostings[posting.token] = (posting.documents, posting.bytes, posting.positions) }
        typealias Postings = [(token: String, documents: Int, bytes: [UInt8], positions: [UInt8])]
        // Tokens merged in parts side by side; each part's postings are its own.
        let tokens = Array(previousTokens), parts = 16, renumbering = newID, changed = addedPostings
        // A part is nil when it failed to merge.
        let merged = concurrentMap(parts) { part -> Postings? in
            var postings: Postings = []
            for (token, record) in tokens[tokens.count * part / parts..<tokens.count * (part + 1) / parts] {
                let change = changed[token].map { ($0.documents, $0.bytes[...], $0.positions[...]) }
                guard let list = try? PostingMerge.merge(record, renumberedBy: renumbering, with: change) else { return nil }
                if list.documents > 0 { postings.append((token, list.documents, list.bytes, list.positions)) }
            }
            return postings
        }
        var postings: Postings = []
        for part in merged {
            guard let part else { return nil }
            postings += part
        }
        for (token, record) in addedPostings where previousTokens[token] == nil {
            postings.append((token, record.documents, record.bytes, record.positions))
        }
        var pending = postings.map {
            SearchIndex.PendingPostings(token: $0.token, documents: $0.documents, bytes: PostingBytes($0.bytes), positions: PostingBytes($0.positions))
        }
        postings = []
        return SearchIndex(table: table, postings: &pending, layout: layout)
    }

    /// A token whose postings change: its new postings (no documents when it is gone), and, when it had
    /// postings before, the bytes they took in shards and whether it had positions.
    private struct PatchedToken {
        var token: [UInt8]
        var documents: Int
        var bytes: [UInt8]
        var positions: [UInt8]
        var old: (bytes: Int, positions: Int, hadPositions: Bool)?
    }

    /// The index with only the changed documents' tokens merged again, when the ids stay and the number of
    /// shards stays; nil otherwise.
    private static func patch(
        _ previous: PreviousIndex, table: DocumentTable,
        added: [(token: String, documents: Int, bytes: [UInt8], positions: [UInt8])], newID: [Int], layout: SearchIndexLayout
    ) -> SearchIndex? {
        let termCount = previous.terms.count, positionCount = previous.positions.count
        var addedByShard = [[PatchedToken]](repeating: [], count: termCount)
        for posting in added {
            let token = Array(posting.token.utf8)
            addedByShard[Int(SearchHash.fnv1a(token)) % termCount].append(
                PatchedToken(token: token, documents: posting.documents, bytes: posting.bytes, positions: posting.positions))
        }
        for shard in addedByShard.indices { addedByShard[shard].sort { $0.token.lexicographicallyPrecedes($1.token) } }
        // Each term shard's changed tokens, in token order, worked out side by side; nil when one failed.
        let additions = addedByShard, dropped = newID.indices.filter { newID[$0] < 0 }
        let patchedByTermShard = concurrentMap(termCount) { shard in
            try? patchedTokens(previous, shard: shard, added: additions[shard], newID: newID, dropped: dropped)
        }.compactMap { $0 }
        guard patchedByTermShard.count == termCount else { return nil }
        let patched = patchedByTermShard.flatMap { $0 }
        // The number of shards follows the bytes kept in shards: it must not change.
        var termBytes = previous.sharedBytes.terms, positionBytes = previous.sharedBytes.positions
        for token in patched {
            termBytes += layout.sharedSize(of: token.bytes) - (token.old?.bytes ?? 0)
            positionBytes += layout.sharedSize(of: token.positions) - (token.old?.positions ?? 0)
        }
        guard SearchIndex.shardCount(totalBytes: termBytes, target: layout.termShardTarget) == termCount,
              SearchIndex.shardCount(totalBytes: positionBytes, target: layout.positionShardTarget) == positionCount else { return nil }

        var termFiles = previous.terms.map(\.file)
        for (shard, tokens) in patchedByTermShard.enumerated() where !tokens.isEmpty {
            termFiles[shard] = relaidShard(previous.terms[shard], with: tokens, postings: \.bytes, layout: layout)
        }
        var byPositionShard = [[PatchedToken]](repeating: [], count: positionCount)
        for token in patched where token.old?.hadPositions == true || !token.positions.isEmpty {
            byPositionShard[Int(SearchHash.fnv1a(token.token)) % positionCount].append(token)
        }
        var positionFiles = previous.positions.map(\.file)
        for (shard, tokens) in byPositionShard.enumerated() where !tokens.isEmpty {
            positionFiles[shard] = relaidShard(previous.positions[shard], with: tokens.sorted { $0.token.lexicographicallyPrecedes($1.token) },
                                               postings: \.positions, layout: layout)
        }

        // Files of their own: the previous ones, with the changed tokens' replaced, added or dropped.
        var ownFiles = previous.ownFiles
        for token in patched {
            var files = ownFiles[token.token] ?? (nil, nil)
            files.terms = layout.hasOwnFile(token.bytes) ? token.bytes : nil
            files.positions = layout.hasOwnFile(token.positions) ? token.positions : nil
            ownFiles[token.token] = files.terms == nil && files.positions == nil ? nil : files
        }
        var ownFileList: [SearchFile] = []
        for token in ownFiles.keys.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
            let files = ownFiles[token]!
            if let bytes = files.terms { ownFileList.append(SearchFile(path: SearchIndex.ownFilePath(folder: "terms", token: token), bytes: bytes)) }
            if let bytes = files.positions {
                ownFileList.append(SearchFile(path: SearchIndex.ownFilePath(folder: "positions", token: token), bytes: bytes))
            }
        }

        return SearchIndex(table: table, termFiles: termFiles, positionFiles: positionFiles, ownFiles: ownFileList)
    }

    /// The tokens of one term shard whose postings change: those of the changed documents (`added`, in token
    /// order) and those whose previous postings hold a document that changed, unless their postings come out
    /// as they were (a document edited at its end has most of its tokens where they were): the shards and
    /// files holding only such tokens are the previous ones.
    private static func patchedTokens(_ previous: PreviousIndex, shard: Int, added: [PatchedToken], newID: [Int],
                                      dropped: [Int]) throws -> [PatchedToken] {
        var patched: [PatchedToken] = []
        var next = added.startIndex
        func merge(_ record: ShardRecord, with change: PatchedToken?) throws {
            let positions = previous.positionRecord(of: record.token)?.data ?? []
            let list = try PostingMerge.merge((record.documents, record.data, positions), renumberedBy: newID,
                                              with: change.map { ($0.documents, $0.bytes[...], $0.positions[...]) }, dropped: dropped)
            if list.documents == record.documents, sameBytes(list.bytes, record.data), sameBytes(list.positions, positions) { return }
            patched.append(PatchedToken(token: Array(record.token), documents: list.documents, bytes: list.bytes, positions: list.positions,
                                        old: (previous.layout.sharedSize(of: record.data), previous.layout.sharedSize(of: positions),
                                              !positions.isEmpty)))
        }
        for record in previous.terms[shard].records {
            while next < added.endIndex, added[next].token.lexicographicallyPrecedes(record.token) {
                patched.append(added[next])
                next += 1
            }
            if next < added.endIndex, added[next].token.elementsEqual(record.token) {
                try merge(record, with: added[next])
                next += 1
            } else if try !PostingMerge.keepsEveryDocument(record.documents, record.data, renumberedBy: newID,
                                                           lastDropped: dropped.last ?? -1) {
                try merge(record, with: nil)
            }
        }
        patched += added[next...]
        return patched
    }

    /// Whether `bytes` are those of `slice`.
    private static func sameBytes(_ bytes: [UInt8], _ slice: ArraySlice<UInt8>) -> Bool {
        bytes.count == slice.count && bytes.withUnsafeBytes { a in
            slice.withUnsafeBytes { b in a.count == 0 || memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0 }
        }
    }

    /// A shard laid out again with the changed tokens' postings (`tokens` in token order, `postings` picking
    /// the shard's kind); the other records are copied as they are.
    private static func relaidShard(_ shard: Shard, with tokens: [PatchedToken], postings: KeyPath<PatchedToken, [UInt8]>,
                                    layout: SearchIndexLayout) -> [UInt8] {
        var file: [UInt8] = []
        file.reserveCapacity(shard.file.count)
        var next = tokens.startIndex
        func append(_ token: PatchedToken) {
            let data = token[keyPath: postings]
            guard token.documents > 0, !data.isEmpty else { return }
            SearchIndex.appendRecord(token: token.token, count: token.documents, data: data[...], ownFile: layout.hasOwnFile(data), to: &file)
        }
        for record in shard.records {
            while next < tokens.endIndex, tokens[next].token.lexicographicallyPrecedes(record.token) {
                append(tokens[next])
                next += 1
            }
            if next < tokens.endIndex, tokens[next].token.elementsEqual(record.token) {
                append(tokens[next])
                next += 1
            } else {
                file += shard.file[record.bytes]
            }
        }
        tokens[next...].forEach(append)
        return file
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
        private var positions: VarIntReader
        private let hasPositions: Bool
        let termBytes: ArraySlice<UInt8>
        let positionBytes: ArraySlice<UInt8>
        private let documents: Int
        private var remaining: Int
        private var id = 0
        private var positionID = 0

        init(documents: Int, bytes: ArraySlice<UInt8>, positions: ArraySlice<UInt8>) {
            terms = VarIntReader(bytes)
            termBytes = bytes
            positionBytes = positions
            self.positions = VarIntReader(positions)
            hasPositions = !positions.isEmpty
            self.documents = documents
            remaining = documents
        }

        mutating func next() throws -> Entry? {
            guard remaining > 0 else {
                guard terms.isAtEnd, positions.isAtEnd else { throw Malformed() }
                return nil
            }
            remaining -= 1
            let termStart = terms.offset
            let gap = try terms.next()
            id += gap
            let countStart = terms.offset
            _ = try terms.next()
            var entry = Entry(id: id, gap: gap, term: termStart..<terms.offset, countStart: countStart, position: nil, positionCountStart: 0)
            guard hasPositions else { return entry }
            // The reader is advanced in place: a copy of it would retain its bytes for every entry.
            let positionStart = positions.offset
            positionID += try positions.next()
            guard positionID == id else { throw Malformed() }
            entry.positionCountStart = positions.offset
            try positions.skip(try positions.next())
            entry.position = positionStart..<positions.offset
            return entry
        }

        /// The id of the last entry read or passed (-1 before the first).
        var lastID: Int { remaining < documents ? id : -1 }

        /// Moves past the entries whose id is below `limit`, reading only the varints that give their sizes:
        /// the term entries' gaps and occurrences, which tell how many varints the position entries hold (gap,
        /// number of positions, positions), passed over at once.
        mutating func skip(below limit: Int) throws -> (count: Int, term: Range<Int>, position: Range<Int>) {
            let termStart = terms.offset, positionStart = positions.offset
            var count = 0, positionVarints = 0
            while count < remaining {
                let entryStart = terms.offset
                let gap = try terms.next()
                guard id + gap < limit else {
                    terms.move(to: entryStart)
                    break
                }
                positionVarints += 2 + (try terms.next() >> 1)
                id += gap
                count += 1
            }
            if hasPositions { try positions.skip(positionVarints) }
            remaining -= count
            positionID = id
            return (count, termStart..<terms.offset, positionStart..<positions.offset)
        }
    }

    /// Whether every document in a token's previous postings is kept (`newID` not negative), reading only the
    /// document ids, and none past `lastDropped` (the greatest id not kept, -1 for none).
    static func keepsEveryDocument(_ documents: Int, _ bytes: ArraySlice<UInt8>, renumberedBy newID: [Int],
                                   lastDropped: Int) throws -> Bool {
        var terms = VarIntReader(bytes)
        var id = 0
        for _ in 0..<documents {
            id += try terms.next()
            _ = try terms.next()
            guard id < newID.count else { throw Malformed() }
            if newID[id] < 0 { return false }
            // Ids ascend: none of the rest is dropped.
            if id > lastDropped { return true }
        }
        guard terms.isAtEnd else { throw Malformed() }
        return true
    }

    /// The merged postings. Runs of previous entries whose gap is unchanged by the renumbering are copied as
    /// they are; the others are written again with their new gap. With `dropped` (the ids, ascending, that lose
    /// their previous entries when every other id stays), the entries up to the next dropped or changed one are
    /// passed over by their sizes alone.
    static func merge(_ previous: (documents: Int, bytes: ArraySlice<UInt8>, positions: ArraySlice<UInt8>), renumberedBy newID: [Int],
                      with changed: (documents: Int, bytes: ArraySlice<UInt8>, positions: ArraySlice<UInt8>)?,
                      dropped: [Int]? = nil) throws
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
        /// Adds previous bytes to be copied as they are: to the pending run when they follow it, else as a new one.
        func keep(term: Range<Int>, position: Range<Int>) {
            if let pending = run, pending.term.upperBound == term.lowerBound {
                run = (pending.term.lowerBound..<term.upperBound, pending.position.lowerBound..<position.upperBound)
            } else {
                flush()
                run = (term, position)
            }
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
        var nextDropped = dropped?.startIndex ?? 0
        func nextOld(before newEntry: Int?) throws -> (entry: Entry, id: Int)? {
            if let dropped {
                while nextDropped < dropped.endIndex, dropped[nextDropped] <= old.lastID { nextDropped += 1 }
                let limit = min(newEntry ?? .max, nextDropped < dropped.endIndex ? dropped[nextDropped] : .max)
                let passed = try old.skip(below: limit)
                if passed.count > 0 {
                    keep(term: passed.term, position: passed.position)
                    result.documents += passed.count
                    last = old.lastID
                }
            }
            while let entry = try old.next() {
                guard entry.id < newID.count else { throw Malformed() }
                if newID[entry.id] >= 0 { return (entry, newID[entry.id]) }
            }
            return nil
        }
        var b = try new?.next()
        var a = try nextOld(before: b?.id)
        while a != nil || b != nil {
            if let (entry, id) = a, b == nil || id < b!.id {
                if id - last != entry.gap {
                    rewrite(entry, as: id, from: old)
                } else {
                    keep(term: entry.term, position: entry.position ?? old.positionBytes.startIndex..<old.positionBytes.startIndex)
                }
                last = id
                a = try nextOld(before: b?.id)
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

/// A record of a shard: a token and its postings (in the shard, or the token's own file).
private struct ShardRecord {
    var token: ArraySlice<UInt8>
    var documents: Int
    var data: ArraySlice<UInt8>
    /// The whole record in the shard file.
    var bytes: Range<Int>
}

/// A shard file of the previous index and its records, in token order.
private struct Shard {
    var file: [UInt8]
    var records: [ShardRecord]
}

/// The previous build's index read back from its files; postings are not copied out of them.
private struct PreviousIndex {
    let layout: SearchIndexLayout
    var metrics: [(length: Int, headEnd: Int)] = []
    /// Each document's entry in `meta.bin` after its length and head end: its year, tag and district ids.
    private var metaTails: [Range<Int>] = []
    /// The manifest's lists of years, tags and districts, when it has them as a build writes them.
    private var names: (years: [Int], tags: [String], districts: [String])?
    var terms: [Shard] = []
    var positions: [Shard] = []
    /// The postings files of their own, by token.
    var ownFiles: [[UInt8]: (terms: [UInt8]?, positions: [UInt8]?)] = [:]
    /// The bytes of postings kept in shards, of each kind.
    var sharedBytes = (terms: 0, positions: 0)
    /// The files read, by path in the index.
    private var files: [String: [UInt8]] = [:]
    private let read: @Sendable (String) -> [UInt8]?

    init?(read: @escaping @Sendable (String) -> [UInt8]?, layout: SearchIndexLayout) {
        self.read = read
        self.layout = layout
        guard let manifestBytes = read("index.json"),
              let manifest = try? JSONSerialization.jsonObject(with: Data(manifestBytes)) as? [String: Any],
              manifest["format"] as? Int == SearchIndex.formatVersion,
              let documentCount = manifest["documents"] as? Int, let termShards = manifest["termShards"] as? Int,
              let positionShards = manifest["positionShards"] as? Int, let meta = read("meta.bin") else { return nil }
        files["meta.bin"] = meta
        if let years = manifest["years"] as? [Int], let tags = manifest["tags"] as? [String], let districts = manifest["districts"] as? [String] {
            names = (years, tags, districts)
        }
        do {
            var reader = VarIntReader(meta)
            metaTails.reserveCapacity(documentCount)
            for _ in 0..<documentCount {
                metrics.append((try reader.next(), try reader.next()))
                let tail = reader.offset
                _ = try reader.next()  // year
                for _ in 0..<(try reader.next()) { _ = try reader.next() }  // tags
                for _ in 0..<(try reader.next()) { _ = try reader.next() }  // districts
                metaTails.append(tail..<reader.offset)
            }
            guard reader.isAtEnd else { return nil }
            terms = try Self.shards(folder: "terms", count: termShards, read: read)
            positions = try Self.shards(folder: "positions", count: positionShards, read: read)
        } catch {
            return nil
        }
        for (folder, shards) in [("terms", terms), ("positions", positions)] {
            for (number, shard) in shards.enumerated() {
                files["\(folder)/\(number).bin"] = shard.file
                for record in shard.records {
                    if layout.hasOwnFile(record.data) {
                        let own = Array(record.data)
                        files[SearchIndex.ownFilePath(folder: folder, token: record.token)] = own
                        if folder == "terms" { ownFiles[Array(record.token), default: (nil, nil)].terms = own } else {
                            ownFiles[Array(record.token), default: (nil, nil)].positions = own
                        }
                    } else if folder == "terms" {
                        sharedBytes.terms += record.data.count
                    } else {
                        sharedBytes.positions += record.data.count
                    }
                }
            }
        }
    }

    /// Every shard of a folder, read side by side.
    private static func shards(folder: String, count: Int, read: @Sendable (String) -> [UInt8]?) throws -> [Shard] {
        let shards = concurrentMap(count) { number in try? shard(folder: folder, number: number, read: read) }
        // A shard that could not be read is nil.
        return try shards.map { shard in
            guard let shard else { throw PostingMerge.Malformed() }
            return shard
        }
    }

    /// A shard's records, their postings from the shard or from the token's own file.
    private static func shard(folder: String, number: Int, read: (String) -> [UInt8]?) throws -> Shard {
        guard let file = read("\(folder)/\(number).bin") else { throw PostingMerge.Malformed() }
        var reader = VarIntReader(file)
        var records: [ShardRecord] = []
        while !reader.isAtEnd {
            let start = reader.offset
            let token = try reader.bytes(count: try reader.next())
            guard String(validating: token, as: UTF8.self) != nil else { throw PostingMerge.Malformed() }
            let documents = try reader.next()
            let sizeAndFlag = try reader.next()
            let data: ArraySlice<UInt8>
            if sizeAndFlag & 1 == 1 {
                guard let own = read(SearchIndex.ownFilePath(folder: folder, token: token)), own.count == sizeAndFlag >> 1 else {
                    throw PostingMerge.Malformed()
                }
                data = own[...]
            } else {
                data = try reader.bytes(count: sizeAndFlag >> 1)
            }
            records.append(ShardRecord(token: token, documents: documents, data: data, bytes: start..<reader.offset))
        }
        return Shard(file: file, records: records)
    }

    /// A token's record in its position shard, if it has one.
    func positionRecord(of token: ArraySlice<UInt8>) -> ShardRecord? {
        let records = positions[Int(SearchHash.fnv1a(Array(token))) % positions.count].records
        var low = 0, high = records.count
        while low < high {
            let middle = (low + high) / 2
            if records[middle].token.lexicographicallyPrecedes(token) { low = middle + 1 } else { high = middle }
        }
        return low < records.count && records[low].token.elementsEqual(token) ? records[low] : nil
    }

    /// Every token's postings, for merging them all.
    func tokens() throws -> [String: (documents: Int, bytes: ArraySlice<UInt8>, positions: ArraySlice<UInt8>)] {
        var tokens: [String: (documents: Int, bytes: ArraySlice<UInt8>, positions: ArraySlice<UInt8>)] = [:]
        for record in terms.lazy.flatMap(\.records) {
            tokens[String(decoding: record.token, as: UTF8.self)] = (record.documents, record.data, [])
        }
        for record in positions.lazy.flatMap(\.records) {
            let token = String(decoding: record.token, as: UTF8.self)
            guard tokens[token]?.documents == record.documents else { throw PostingMerge.Malformed() }
            tokens[token]!.positions = record.data
        }
        return tokens
    }

    /// A file of the previous index.
    func file(_ path: String) -> [UInt8]? { files[path] ?? read(path) }

    /// The document table's chunks that hold only documents kept in place (`newID[id] == id`), by number.
    func chunks(keeping newID: [Int]) -> [Int: [UInt8]] {
        var chunks: [Int: [UInt8]] = [:]
        for chunk in 0..<(newID.count + SearchIndex.documentChunk - 1) / SearchIndex.documentChunk {
            let ids = chunk * SearchIndex.documentChunk..<min(newID.count, (chunk + 1) * SearchIndex.documentChunk)
            if ids.allSatisfy({ newID[$0] == $0 }) { chunks[chunk] = file("docs/\(chunk).json") }
        }
        return chunks
    }

    /// The previous document table with new `metrics` (one per document, in the same order); nil when a file of
    /// it cannot be read.
    func table(metrics newMetrics: [(length: Int, headEnd: Int)]) -> DocumentTable? {
        guard let names, newMetrics.count == metrics.count, let meta = files["meta.bin"] else { return nil }
        var newMeta: [UInt8] = []
        newMeta.reserveCapacity(meta.count + 16)
        for (metric, tail) in zip(newMetrics, metaTails) {
            VarInt.append(metric.length, to: &newMeta)
            VarInt.append(metric.headEnd, to: &newMeta)
            newMeta += meta[tail]
        }
        var chunks: [[UInt8]] = []
        for chunk in 0..<(metrics.count + SearchIndex.documentChunk - 1) / SearchIndex.documentChunk {
            guard let bytes = file("docs/\(chunk).json") else { return nil }
            chunks.append(bytes)
        }
        return DocumentTable(meta: newMeta, chunks: chunks, metrics: newMetrics, years: names.years, tags: names.tags,
                             districts: names.districts)
    }

    /// The paths of `newFiles` whose bytes are those of the previous index's file at the same path.
    func unchangedPaths(of newFiles: [SearchFile]) -> Set<String> {
        let unchanged = concurrentMap(newFiles.count) { number -> String? in
            let new = newFiles[number]
            guard let old = file(new.path), old.count == new.bytes.count else { return nil }
            // A file the update took over from the previous index is the same array: not compared byte by byte.
            let same = old.withUnsafeBytes { a in
                new.bytes.withUnsafeBytes { b in a.count == 0 || a.baseAddress == b.baseAddress || memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0 }
            }
            return same ? new.path : nil
        }
        return Set(unchanged.compactMap { $0 })
    }
}
