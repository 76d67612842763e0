import BulletinModel
import BulletinSupport
import Foundation

/// What the search index knows of one bulletin.
public struct SearchDocument: Sendable {
    public var title: String
    /// Site-relative link of the bulletin page.
    public var url: String
    /// Site-relative link of its plain-text edition, where the search page takes snippets from.
    public var textURL: String
    /// ISO date.
    public var date: String
    /// `第1期（总第305期）`.
    public var issueLabel: String
    public var year: Int
    public var tags: [String]
    public var districts: [String]
    /// Texts whose matches rank first: the title and the exemplar names.
    public var headTexts: [String]
    /// Everything else that is searchable: the body's blocks, honours, stat labels and values, tags, districts.
    public var texts: [String]

    public init(title: String, url: String, textURL: String, date: String, issueLabel: String, year: Int, tags: [String],
                districts: [String], headTexts: [String], texts: [String]) {
        self.title = title
        self.url = url
        self.textURL = textURL
        self.date = date
        self.issueLabel = issueLabel
        self.year = year
        self.tags = tags
        self.districts = districts
        self.headTexts = headTexts
        self.texts = texts
    }
}

/// One bulletin's tokens, counted: the part of indexing that runs in parallel. CJK tokens are packed into
/// integers (`token << 22 | position`) and sorted, so a document costs a few flat arrays, not a dictionary.
public struct AnalyzedDocument: Sendable {
    /// Positions are packed into the low 22 bits; a longer document stops being indexed there.
    static let positionBits: UInt64 = 22
    static let positionMask: UInt64 = (1 << positionBits) - 1

    /// Tokens in the document (CJK characters, words and numbers), for length normalisation.
    var length: Int
    /// Positions below this are in the title or an exemplar name.
    var headEnd: Int
    /// `first << 21 | second` of each bigram, shifted over its position; sorted.
    var bigrams: [UInt64]
    /// Each CJK character's scalar value shifted over its position; sorted.
    var characters: [UInt64]
    /// Occurrences of each word and number, and whether one is in the head.
    var words: [String: (count: Int, head: Bool)]

    /// Tokenizes the head texts, then the other texts, with a break between any two.
    public init(_ document: SearchDocument) {
        var bigrams: [UInt64] = []
        var characters: [UInt64] = []
        var words: [String: (count: Int, head: Bool)] = [:]
        var length = 0
        var position = 0
        var inHead = true
        var previous: (scalar: Unicode.Scalar, position: Int)?
        func count(_ word: String) {
            let old = words[word] ?? (0, false)
            words[word] = (old.count + 1, old.head || inHead)
        }
        func emit(_ token: SearchTokenizer.Token) {
            length += 1
            switch token {
            case .cjk(let scalar, let at):
                guard UInt64(at) <= Self.positionMask else { return }
                characters.append(UInt64(scalar.value) << Self.positionBits | UInt64(at))
                if let previous, previous.position == at - 1 {
                    let key = UInt64(previous.scalar.value) << 21 | UInt64(scalar.value)
                    bigrams.append(key << Self.positionBits | UInt64(at - 1))
                }
                previous = (scalar, at)
            case .word(let word):
                count(word)
            case .number(let canonical, let plain):
                count(canonical)
                if let plain, plain != canonical { count(plain) }
            }
        }
        for text in document.headTexts {
            position = SearchTokenizer.scan(text, firstPosition: position, emit: emit)
        }
        let headEnd = position
        inHead = false
        for text in document.texts {
            position = SearchTokenizer.scan(text, firstPosition: position, emit: emit)
        }
        Self.sortByToken(&bigrams, tokenBits: 42)
        Self.sortByToken(&characters, tokenBits: 21)
        self.length = length
        self.headEnd = headEnd
        self.bigrams = bigrams
        self.characters = characters
        self.words = words
    }
}

extension AnalyzedDocument {
    /// Sorts packed entries (a token of `tokenBits` over a position in the low `positionBits`) that arrive in
    /// ascending position, as a document is read: a stable least-significant-digit radix sort of the token
    /// alone, 11 bits a pass, leaves each token's entries in position order, so the result is what `sort()`
    /// gives, in half its time (the two sorts were nearly half of analysing a document).
    static func sortByToken(_ entries: inout [UInt64], tokenBits: UInt64) {
        guard entries.count > 1 else { return }
        let digitBits: UInt64 = 11, buckets = 1 << digitBits
        var source = entries
        var target = [UInt64](repeating: 0, count: entries.count)
        var counts = [Int](repeating: 0, count: buckets)
        var shift = positionBits
        while shift < positionBits + tokenBits {
            for index in counts.indices { counts[index] = 0 }
            for entry in source { counts[Int(entry >> shift) & (buckets - 1)] += 1 }
            var start = 0
            for index in counts.indices {
                (counts[index], start) = (start, start + counts[index])
            }
            for entry in source {
                let digit = Int(entry >> shift) & (buckets - 1)
                target[counts[digit]] = entry
                counts[digit] += 1
            }
            swap(&source, &target)
            shift += digitBits
        }
        entries = source
    }
}

/// A file of the search index, relative to the search folder.
public struct SearchFile: Sendable {
    public var path: String
    /// The file's bytes one after another: postings are written in the pieces they were collected in, not
    /// copied into one array first.
    public var pieces: [[UInt8]]

    init(path: String, bytes: [UInt8]) {
        self.init(path: path, pieces: [bytes])
    }

    init(path: String, pieces: [[UInt8]]) {
        self.path = path
        self.pieces = pieces
    }

    /// The file's bytes in one array.
    public var bytes: [UInt8] { pieces.count == 1 ? pieces[0] : Array(pieces.joined()) }

    /// The file's size in bytes.
    public var count: Int { pieces.reduce(0) { $0 + $1.count } }
}

/// Collects analysed documents in site order into postings, one document at a time, so that only the
/// postings (not every document's tokens) stay in memory.
public struct SearchIndexBuilder: Sendable {
    private enum Key: Hashable {
        case bigram(UInt64)
        case character(UInt32)
        case word(String)

        var text: String {
            switch self {
            case .bigram(let key):
                String(String.UnicodeScalarView([Unicode.Scalar(UInt32(key >> 21))!, Unicode.Scalar(UInt32(key & 0x1F_FFFF))!]))
            case .character(let value): String(Character(Unicode.Scalar(value)!))
            case .word(let word): word
            }
        }
    }

    /// The postings of one token.
    private struct Postings {
        var key: Key
        var documents = 0
        var lastDocument = 0
        var bytes = PostingBytes()
        var positions = PostingBytes()
    }

    private var documents: [SearchDocument] = []
    private var metrics: [(length: Int, headEnd: Int)] = []
    private var postings: [Postings] = []
    private var bigramSlots: [UInt64: Int] = [:]
    private var characterSlots: [UInt32: Int] = [:]
    private var wordSlots: [String: Int] = [:]
    private let layout: SearchIndexLayout

    /// A builder writing files in `layout`.
    public init(layout: SearchIndexLayout = SearchIndexLayout()) {
        self.layout = layout
    }

    /// Adds the next document in site order.
    public mutating func add(_ document: SearchDocument, analyzed: AnalyzedDocument) {
        add(document, analyzed: analyzed, id: documents.count)
    }

    /// Adds a document under `id`, greater than the ids added before (for postings of some documents only).
    mutating func add(_ document: SearchDocument, analyzed: AnalyzedDocument, id: Int) {
        // The document table needs no texts: kept, they were over a quarter of the memory the builder held
        // (about 50 MB at 10,000 bulletins).
        var entry = document
        entry.headTexts = []
        entry.texts = []
        documents.append(entry)
        metrics.append((analyzed.length, analyzed.headEnd))
        addPostings(analyzed, id: id)
    }

    /// Adds a document's postings under `id`, greater than the ids added before, without the document (for an
    /// update, whose document table is made apart).
    mutating func addPostings(_ analyzed: AnalyzedDocument, id: Int) {
        let headEnd = UInt64(analyzed.headEnd)
        let mask = AnalyzedDocument.positionMask
        // A bigram's positions are encoded apart and appended at once: each append through `postings[slot]`
        // checks that both arrays are uniquely referenced.
        var encoded: [UInt8] = []
        forEachGroup(analyzed.bigrams) { key, group in
            let slot = slot(for: .bigram(key))
            append(id, count: group.count, head: group.first! & mask < headEnd, to: slot)
            encoded.removeAll(keepingCapacity: true)
            VarInt.append(group.count, to: &encoded)
            var last: UInt64 = 0
            for packed in group {
                VarInt.append(Int(packed & mask - last), to: &encoded)
                last = packed & mask
            }
            postings[slot].positions.append(contentsOf: encoded)
        }
        forEachGroup(analyzed.characters) { key, group in
            append(id, count: group.count, head: group.first! & mask < headEnd, to: slot(for: .character(UInt32(key))))
        }
        for (word, term) in analyzed.words {
            append(id, count: term.count, head: term.head, to: slot(for: .word(word)))
        }
    }

    /// Calls `body` with each distinct token of a sorted packed array and its run of entries (positions in the
    /// low bits, ascending).
    private func forEachGroup(_ packed: [UInt64], _ body: (UInt64, ArraySlice<UInt64>) -> Void) {
        var start = 0
        while start < packed.count {
            let key = packed[start] >> AnalyzedDocument.positionBits
            var end = start + 1
            while end < packed.count, packed[end] >> AnalyzedDocument.positionBits == key { end += 1 }
            body(key, packed[start..<end])
            start = end
        }
    }

    private mutating func slot(for key: Key) -> Int {
        switch key {
        case .bigram(let value):
            if let slot = bigramSlots[value] { return slot }
            bigramSlots[value] = postings.count
        case .character(let value):
            if let slot = characterSlots[value] { return slot }
            characterSlots[value] = postings.count
        case .word(let value):
            if let slot = wordSlots[value] { return slot }
            wordSlots[value] = postings.count
        }
        postings.append(Postings(key: key))
        return postings.count - 1
    }

    /// Appends a document to a token's postings; a bigram's positions follow the same gap.
    private mutating func append(_ id: Int, count: Int, head: Bool, to slot: Int) {
        postings.withUnsafeMutableBufferPointer { all in
            let gap = id - all[slot].lastDocument
            all[slot].bytes.append(varInt: gap)
            all[slot].bytes.append(varInt: count << 1 | (head ? 1 : 0))
            if case .bigram = all[slot].key { all[slot].positions.append(varInt: gap) }
            all[slot].lastDocument = id
            all[slot].documents += 1
        }
    }

    /// Each token's postings as added.
    var tokenPostings: [(token: String, documents: Int, bytes: [UInt8], positions: [UInt8])] {
        postings.map { ($0.key.text, $0.documents, $0.bytes.joined(), $0.positions.joined()) }
    }

    /// The finished index. The postings are handed over, not copied: a token's pieces become its file, or
    /// are copied into a shard and released.
    public consuming func finish() -> SearchIndex {
        var pending = postings.map {
            SearchIndex.PendingPostings(token: $0.key.text, documents: $0.documents, bytes: $0.bytes, positions: $0.positions)
        }
        postings = []
        return SearchIndex(table: DocumentTable(documents: documents, metrics: metrics), postings: &pending, layout: layout)
    }
}

/// The static search index: a manifest, per-document metadata, the document table in chunks, and postings
/// sharded by token so that a query fetches only the shards of its tokens.
///
/// Binary files are sequences of unsigned LEB128 varints. A term shard (`terms/N.bin`) holds records sorted
/// by token: token length, token UTF-8, document count, `byte count of the postings << 1 | ownFile`, then
/// (unless the postings are in a file of their own, see `ownFilePath`) per document the gap to the previous
/// document id and `occurrences << 1 | inHead`. A position shard (`positions/N.bin`)
/// holds the same for CJK bigrams with, per document, the gap, the number of positions and the positions as
/// gaps. `meta.bin` holds per document its length, head end, year index and tag and district ids. Document ids
/// are the bulletins' order on the site, newest first.
public struct SearchIndex: Sendable {
    /// Documents per file of the document table.
    public static let documentChunk = 50
    public static let formatVersion = 1

    public let files: [SearchFile]
    /// The files whose bytes are those of the previous index this one was updated from (paths in `files`):
    /// they need not be written again.
    public internal(set) var keptFiles: Set<String> = []

    /// Builds the index of `documents` (in site order) from their analyses.
    public init(documents: [SearchDocument], analyzed: [AnalyzedDocument], layout: SearchIndexLayout = SearchIndexLayout()) {
        var builder = SearchIndexBuilder(layout: layout)
        for (document, analysis) in zip(documents, analyzed) { builder.add(document, analyzed: analysis) }
        self = (consume builder).finish()
    }

    /// A token's postings, handed to the layout.
    struct PendingPostings {
        var token: String
        var documents: Int
        var bytes: PostingBytes
        var positions: PostingBytes
    }

    /// Lays out `postings` with the document table, emptying `postings` as it goes: a token's pieces are
    /// released once they are in a shard (or are its own file), not held beside the files.
    init(table: DocumentTable, postings: inout [PendingPostings], layout: SearchIndexLayout) {
        let texts = postings.map { Array($0.token.utf8) }
        let order = postings.indices.sorted { texts[$0].lexicographicallyPrecedes(texts[$1]) }
        func sharedBytes(_ size: (PendingPostings) -> Int) -> Int {
            postings.reduce(0) { total, token in total + layout.sharedSize(ofCount: size(token)) }
        }
        let termShards = Self.shardCount(totalBytes: sharedBytes(\.bytes.count), target: layout.termShardTarget)
        let positionShards = Self.shardCount(totalBytes: sharedBytes(\.positions.count), target: layout.positionShardTarget)
        var termFiles = [[UInt8]](repeating: [], count: termShards)
        var positionFiles = [[UInt8]](repeating: [], count: positionShards)
        var ownFiles: [SearchFile] = []
        for slot in order {
            let shard = Int(SearchHash.fnv1a(texts[slot]))
            func place(_ data: PostingBytes, folder: String, in shards: inout [[UInt8]]) {
                guard !data.isEmpty else { return }
                if layout.hasOwnFile(count: data.count) {
                    Self.appendRecord(token: texts[slot], count: postings[slot].documents, data: [], size: data.count, ownFile: true,
                                      to: &shards[shard % shards.count])
                    ownFiles.append(SearchFile(path: Self.ownFilePath(folder: folder, token: texts[slot]), pieces: data.allPieces))
                } else {
                    Self.appendRecord(token: texts[slot], count: postings[slot].documents, data: data.joined()[...], ownFile: false,
                                      to: &shards[shard % shards.count])
                }
            }
            let bytes = postings[slot].bytes, positions = postings[slot].positions
            postings[slot].bytes = PostingBytes()
            postings[slot].positions = PostingBytes()
            place(bytes, folder: "terms", in: &termFiles)
            place(positions, folder: "positions", in: &positionFiles)
        }
        self.init(table: table, termFiles: termFiles, positionFiles: positionFiles, ownFiles: ownFiles)
    }

    /// The index from its document table and its postings files already laid out.
    init(table: DocumentTable, termFiles: [[UInt8]], positionFiles: [[UInt8]], ownFiles: [SearchFile]) {
        var files: [SearchFile] = [SearchFile(path: "meta.bin", bytes: table.meta)]
        files += termFiles.enumerated().map { SearchFile(path: "terms/\($0.offset).bin", bytes: $0.element) }
        files += positionFiles.enumerated().map { SearchFile(path: "positions/\($0.offset).bin", bytes: $0.element) }
        files += ownFiles
        files += table.chunks.enumerated().map { SearchFile(path: "docs/\($0.offset).json", bytes: $0.element) }
        // The version is a digest of the files' digests, worked out side by side.
        let allFiles = files
        let fileDigests = concurrentMap(allFiles.count) { number in
            var digest = StableDigest()
            digest.addBlock(allFiles[number].bytes)  // a file in pieces is joined for the moment
            return digest.value
        }
        var version = StableDigest()
        for digest in fileDigests { version.add(digest) }
        let manifest: [String: Any] = [
            "format": Self.formatVersion,
            "version": String(version.value, radix: 16),
            "documents": table.count,
            "averageLength": table.count == 0 ? 0 : Double(table.totalLength) / Double(table.count),
            "termShards": termFiles.count,
            "positionShards": positionFiles.count,
            "documentChunk": Self.documentChunk,
            "years": table.years,
            "tags": table.tags,
            "districts": table.districts,
        ]
        files.insert(SearchFile(path: "index.json", bytes: Self.json(manifest)), at: 0)
        self.files = files
    }

    /// The whole index's size in bytes.
    public var totalBytes: Int { files.reduce(0) { $0 + $1.count } }

    static func shardCount(totalBytes: Int, target: Int) -> Int {
        var count = 1
        while count * target < totalBytes { count *= 2 }
        return count
    }

    /// Appends a token's record to a shard: its postings, or only their size when they have a file of their own.
    static func appendRecord(token: some Collection<UInt8>, count: Int, data: ArraySlice<UInt8>, ownFile: Bool, to file: inout [UInt8]) {
        appendRecord(token: token, count: count, data: data, size: data.count, ownFile: ownFile, to: &file)
    }

    /// `appendRecord` for postings of `size` bytes, which `data` holds unless they have a file of their own.
    static func appendRecord(token: some Collection<UInt8>, count: Int, data: ArraySlice<UInt8>, size: Int, ownFile: Bool,
                             to file: inout [UInt8]) {
        VarInt.append(token.count, to: &file)
        file += token
        VarInt.append(count, to: &file)
        VarInt.append(size << 1 | (ownFile ? 1 : 0), to: &file)
        if !ownFile { file += data }
    }

    /// The file of a token whose postings are too big to share a shard: `terms/x/<UTF-8 in hex>.bin`. Spelled
    /// into one buffer: an update of the index names each of several thousand such files three times.
    static func ownFilePath(folder: String, token: some Collection<UInt8>) -> String {
        var path = Array((folder + "/x/").utf8)
        path.reserveCapacity(path.count + 2 * token.count + 4)
        for byte in token {
            path.append(hexDigits[Int(byte >> 4)])
            path.append(hexDigits[Int(byte & 0x0F)])
        }
        path += ".bin".utf8
        return String(decoding: path, as: UTF8.self)
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// The distinct names of all documents in UTF-8 order, and each document's as ascending ids into them
    /// (without repeats). Names are keyed by their bytes: hashing Chinese names as `String`s normalises each.
    static func names(_ namesOfDocuments: [[String]]) -> (names: [String], ids: [[Int]]) {
        var firstSeen: [UTF8Key: Int] = [:]
        var distinct: [String] = []
        // Every document's names as ids in order of first appearance, one after another.
        var provisional: [Int] = []
        var ends: [Int] = []
        ends.reserveCapacity(namesOfDocuments.count)
        for names in namesOfDocuments {
            for name in names {
                let key = UTF8Key(name)
                if let id = firstSeen[key] {
                    provisional.append(id)
                } else {
                    firstSeen[key] = distinct.count
                    provisional.append(distinct.count)
                    distinct.append(name)
                }
            }
            ends.append(provisional.count)
        }
        let order = distinct.indices.sorted { UTF8Key.precedes(distinct[$0], distinct[$1]) }
        var rank = [Int](repeating: 0, count: distinct.count)
        for (position, id) in order.enumerated() { rank[id] = position }
        var ids: [[Int]] = []
        ids.reserveCapacity(namesOfDocuments.count)
        var start = 0
        for end in ends {
            // Sorted and without repeats in place: one array a document.
            var own = provisional[start..<end].map { rank[$0] }
            own.sort()
            var kept = 0
            for id in own where kept == 0 || own[kept - 1] != id {
                own[kept] = id
                kept += 1
            }
            own.removeLast(own.count - kept)
            ids.append(own)
            start = end
        }
        return (order.map { distinct[$0] }, ids)
    }

    private static func json(_ value: Any) -> [UInt8] {
        // Only strings, numbers, arrays and dictionaries built above: serialisation cannot fail.
        let data = try! JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .withoutEscapingSlashes])
        return Array(data)
    }
}

/// What the index holds of the documents besides their postings: `meta.bin`, the chunks of `docs/`, and
/// what the manifest says of them.
struct DocumentTable {
    var meta: [UInt8]
    var chunks: [[UInt8]]
    var count: Int
    /// The sum of the documents' lengths.
    var totalLength: Int
    var years: [Int]
    var tags: [String]
    var districts: [String]

    /// The table of `documents` (in site order) with their metrics; the chunks in `previousChunks` are taken as
    /// they are, the others encoded.
    init(documents: [SearchDocument], metrics: [(length: Int, headEnd: Int)], previousChunks: [Int: [UInt8]] = [:]) {
        years = Array(Set(documents.map(\.year))).sorted(by: >)
        let tagIDs: [[Int]], districtIDs: [[Int]]
        (tags, tagIDs) = SearchIndex.names(documents.map(\.tags))
        (districts, districtIDs) = SearchIndex.names(documents.map(\.districts))
        let yearIDs = Dictionary(uniqueKeysWithValues: years.enumerated().map { ($1, $0) })
        var meta: [UInt8] = []
        func append(ids: [Int]) {
            VarInt.append(ids.count, to: &meta)
            for id in ids { VarInt.append(id, to: &meta) }
        }
        for (number, metric) in metrics.enumerated() {
            VarInt.append(metric.length, to: &meta)
            VarInt.append(metric.headEnd, to: &meta)
            VarInt.append(yearIDs[documents[number].year]!, to: &meta)
            append(ids: tagIDs[number])
            append(ids: districtIDs[number])
        }
        self.meta = meta
        // The chunks are independent of each other: serialised side by side.
        chunks = concurrentMap((documents.count + SearchIndex.documentChunk - 1) / SearchIndex.documentChunk) { number -> [UInt8] in
            if let previous = previousChunks[number] { return previous }
            let start = number * SearchIndex.documentChunk
            let chunk = documents[start..<min(documents.count, start + SearchIndex.documentChunk)].map(DocumentEntry.init)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            // Only strings: encoding cannot fail.
            return Array(try! encoder.encode(chunk))
        }
        count = documents.count
        totalLength = metrics.reduce(0) { $0 + $1.length }
    }

    /// A table from its parts (the previous index's, with new metrics).
    init(meta: [UInt8], chunks: [[UInt8]], metrics: [(length: Int, headEnd: Int)], years: [Int], tags: [String], districts: [String]) {
        self.meta = meta
        self.chunks = chunks
        count = metrics.count
        totalLength = metrics.reduce(0) { $0 + $1.length }
        self.years = years
        self.tags = tags
        self.districts = districts
    }
}

/// A document as the search page's result list shows it: an entry of the document table.
private struct DocumentEntry: Encodable {
    var title: String
    var url: String
    var text: String
    var date: String
    var issue: String

    init(_ document: SearchDocument) {
        title = document.title
        url = document.url
        text = document.textURL
        date = document.date
        issue = document.issueLabel
    }
}

/// How postings are split into files.
public struct SearchIndexLayout: Sendable {
    /// The size term and position shards aim at; their counts are powers of two.
    public var termShardTarget = 16 * 1024
    public var positionShardTarget = 16 * 1024
    /// Postings larger than this get a file of their own, so a query for another token does not fetch them,
    /// and a phrase query can weigh their sizes (kept in the shard) before fetching them.
    public var ownFileThreshold = 4 * 1024

    public init(termShardTarget: Int = 16 * 1024, positionShardTarget: Int = 16 * 1024, ownFileThreshold: Int = 4 * 1024) {
        self.termShardTarget = termShardTarget
        self.positionShardTarget = positionShardTarget
        self.ownFileThreshold = ownFileThreshold
    }

    /// Whether postings of this size get a file of their own.
    func hasOwnFile(_ data: some Collection<UInt8>) -> Bool { hasOwnFile(count: data.count) }

    /// Whether postings of `count` bytes get a file of their own.
    func hasOwnFile(count: Int) -> Bool { count > ownFileThreshold }

    /// The bytes postings take in their shard (none when they have a file of their own).
    func sharedSize(of data: some Collection<UInt8>) -> Int { sharedSize(ofCount: data.count) }

    /// The bytes postings of `count` bytes take in their shard (none when they have a file of their own).
    func sharedSize(ofCount count: Int) -> Int { hasOwnFile(count: count) ? 0 : count }
}

/// The hashes shared with the search page's script.
public enum SearchHash {
    /// 32-bit FNV-1a of the bytes: which shard holds a token.
    public static func fnv1a(_ bytes: [UInt8]) -> UInt32 {
        var hash: UInt32 = 0x811C_9DC5
        for byte in bytes {
            hash ^= UInt32(byte)
            hash = hash &* 0x0100_0193
        }
        return hash
    }
}
