@testable import BulletinSearch
import BulletinModel
import BulletinSupport
import Foundation
import Testing

/// The shared tokenizer vectors (also run against templates/static/search.js by scripts/browser_check.py).
struct TokenizerVectors: Decodable {
    struct Case: Decodable {
        var text: String
        var tokens: [String]
    }

    var tokens: [Case]

    static func load() throws -> TokenizerVectors {
        let url = repositoryRoot.appending(path: "Tests/BulletinTests/Fixtures/search/tokenizer-vectors.json")
        return try JSONDecoder().decode(TokenizerVectors.self, from: Data(contentsOf: url))
    }
}

/// Tokens written as in the vectors file.
func tokenStrings(_ text: String) -> [String] {
    SearchTokenizer.tokens(text).tokens.map { token in
        switch token {
        case .cjk(let scalar, let position): "c:\(Character(scalar))@\(position)"
        case .word(let word): "w:\(word)"
        case .number(let canonical, let plain): "n:\(canonical)" + (plain.map { "=\($0)" } ?? "")
        }
    }
}

/// Reads the binary index back, as the search page's script does.
struct DecodedIndex {
    var manifest: [String: Any]
    var files: [String: [UInt8]]

    init(_ index: SearchIndex) throws {
        try self.init(files: Dictionary(uniqueKeysWithValues: index.files.map { ($0.path, $0.bytes) }))
    }

    /// The index in the `search/` folder of a built site.
    init(folder: URL) throws {
        try self.init(files: TemporarySite.snapshot(folder).mapValues { Array($0) })
    }

    private init(files: [String: [UInt8]]) throws {
        self.files = files
        manifest = try JSONSerialization.jsonObject(with: Data(files["index.json"]!)) as! [String: Any]
    }

    /// The document table entries in id order.
    var documents: [[String: String]] {
        get throws {
            try (0..<((manifest["documents"] as! Int + 49) / 50)).flatMap { chunk in
                try JSONSerialization.jsonObject(with: Data(files["docs/\(chunk).json"]!)) as! [[String: String]]
            }
        }
    }

    /// The records of a shard folder for a token: documents with their values (`count << 1 | head` for terms,
    /// positions for bigrams).
    func record(_ folder: String, _ token: String) -> [(document: Int, values: [Int])] {
        let shards = manifest[folder == "terms" ? "termShards" : "positionShards"] as! Int
        let bytes = files["\(folder)/\(SearchHash.fnv1a(Array(token.utf8)) % UInt32(shards)).bin"]!
        var offset = 0
        while offset < bytes.count {
            let length = varint(bytes, &offset)
            let name = String(decoding: bytes[offset..<offset + length], as: UTF8.self)
            offset += length
            let count = varint(bytes, &offset)
            let size = varint(bytes, &offset)
            guard name == token else {
                offset += size & 1 == 1 ? 0 : size >> 1
                continue
            }
            var data = Array(bytes[offset...])
            if size & 1 == 1 {
                let hex = Array(token.utf8).map { String(format: "%02x", $0) }.joined()
                data = files["\(folder)/x/\(hex).bin"]!
            }
            offset = 0
            var result: [(Int, [Int])] = []
            var document = 0
            for _ in 0..<count {
                document += varint(data, &offset)
                if folder == "terms" {
                    result.append((document, [varint(data, &offset)]))
                } else {
                    var positions: [Int] = []
                    var position = 0
                    for _ in 0..<varint(data, &offset) {
                        position += varint(data, &offset)
                        positions.append(position)
                    }
                    result.append((document, positions))
                }
            }
            return result
        }
        return []
    }

    /// Documents containing a CJK string of two or more characters, from the positions of all its bigrams.
    func phrase(_ text: String) -> Set<Int> {
        let scalars = Array(text.unicodeScalars)
        var lists: [[Int: Set<Int>]] = []
        for offset in 0..<(scalars.count - 1) {
            let bigram = String(String.UnicodeScalarView(scalars[offset...offset + 1]))
            lists.append(Dictionary(uniqueKeysWithValues: record("positions", bigram).map { ($0.document, Set($0.values)) }))
        }
        return Set(lists[0].compactMap { document, starts in
            starts.contains { start in lists.indices.allSatisfy { lists[$0][document]?.contains(start + $0) == true } } ? document : nil
        })
    }

    private func varint(_ bytes: [UInt8], _ offset: inout Int) -> Int {
        var value = 0, shift = 0
        while true {
            let byte = bytes[offset]
            offset += 1
            value |= Int(byte & 0x7F) << shift
            if byte < 0x80 { return value }
            shift += 7
        }
    }
}

@Suite struct SearchTokenizerTests {
    @Test func sharedVectors() throws {
        let vectors = try TokenizerVectors.load()
        #expect(vectors.tokens.count > 20)
        for vector in vectors.tokens {
            #expect(tokenStrings(vector.text) == vector.tokens, "\(vector.text)")
        }
    }

    @Test func positionsContinueAcrossTexts() {
        let first = SearchTokenizer.tokens("志愿")
        #expect(first.nextPosition == 3)
        let second = SearchTokenizer.tokens("服务", firstPosition: first.nextPosition)
        #expect(second.tokens.first == .cjk("服", position: 3))
    }
}

@Suite struct SearchIndexTests {
    @Test func theFixtureArchiveIsIndexedWithoutItsDraft() async throws {
        let site = try CLITests.fixture("archive")
        defer { site.remove() }
        #expect(await site.build().succeeded)
        let index = try DecodedIndex(folder: site.output.appending(path: "search"))
        let urls = try index.documents.map { $0["url"]! }
        #expect(urls == ["bulletins/2024/104/", "bulletins/2023/103/", "bulletins/2023/102/", "bulletins/2022/101/"],
                "newest first, the draft left out")
        #expect(index.manifest["years"] as? [Int] == [2024, 2023, 2022])
        #expect(index.phrase("文明餐桌") == [1])
        #expect(index.phrase("草稿内容").isEmpty)
        let name = index.record("terms", "某某")
        #expect(name.map(\.document) == [2] && name.first?.values.first.map { $0 & 1 } == 1, "an exemplar's name ranks as a head match")
        #expect(index.record("terms", "10200000").map(\.document) == [2], "the stat value 1020万 is found by its plain value")
        #expect(try String(contentsOf: site.output.appending(path: "search/index.html"), encoding: .utf8)
            .contains("<script src=\"../static/search.js\" data-index=\"../search/\" data-root=\"../\"></script>"))
    }

    /// Random texts over a small alphabet, so bigrams repeat across documents and phrases can be present in
    /// pieces without being present whole: the case positions exist for.
    func randomDocuments(count: Int, seed: UInt64) -> [SearchDocument] {
        var generator = SeededGenerator(seed: seed)
        let alphabet = Array("志愿服务家庭青荷小社区，。 ab12")
        return (0..<count).map { number in
            func text(_ length: Int) -> String { String((0..<length).map { _ in alphabet.randomElement(using: &generator)! }) }
            return SearchDocument(
                title: text(8), url: "b/\(number)/", textURL: "b/\(number)/bulletin.txt", date: "2020-01-0\(number % 9 + 1)",
                issueLabel: "第\(number)期", year: 2020 - number % 3, tags: number % 2 == 0 ? ["甲"] : ["乙", "甲"],
                districts: ["西湖区"], headTexts: [text(6)], texts: (0..<3).map { _ in text(60) })
        }
    }

    @Test func everyBigramAndPhraseFindsExactlyTheDocumentsAScanFinds() throws {
        let documents = randomDocuments(count: 60, seed: 7)
        let index = SearchIndex(documents: documents, analyzed: documents.map(AnalyzedDocument.init),
                                layout: SearchIndexLayout(termShardTarget: 256, positionShardTarget: 512, ownFileThreshold: 64))
        let decoded = try DecodedIndex(index)
        #expect((decoded.manifest["termShards"] as! Int) > 1, "small shards force several files")
        #expect(decoded.files.keys.contains { $0.hasPrefix("terms/x/") } && decoded.files.keys.contains { $0.hasPrefix("positions/x/") },
                "big postings have files of their own")
        let texts = documents.map { ($0.headTexts + $0.texts).map(SearchTokenizer.normalize) }
        func scan(_ needle: String) -> Set<Int> {
            Set(texts.indices.filter { texts[$0].contains { $0.contains(needle) } })
        }
        let cjk = Array("志愿服务家庭青荷小社区")
        var checked = 0
        for a in cjk {
            for b in cjk {
                let bigram = String([a, b])
                let found = Set(decoded.record("terms", bigram).map(\.document))
                #expect(found == scan(bigram), "\(bigram)")
                #expect(decoded.phrase(bigram) == found)
                checked += 1
            }
        }
        var generator = SeededGenerator(seed: 11)
        for _ in 0..<200 {
            let phrase = String((0..<Int.random(in: 3...5, using: &generator)).map { _ in cjk.randomElement(using: &generator)! })
            #expect(decoded.phrase(phrase) == scan(phrase), "\(phrase)")
        }
        #expect(checked == 121)
    }

    @Test func anUpdatedIndexEqualsAFullBuildAndKeepsTheFilesItShares() throws {
        let layout = SearchIndexLayout(termShardTarget: 512, positionShardTarget: 1024, ownFileThreshold: 48)
        var generator = SeededGenerator(seed: 2017)
        let alphabet = (0..<40).map { Character(Unicode.Scalar(0x4E00 + $0 * 7)!) } + Array("，。 志愿服务 ab 12")
        func text(_ length: Int) -> String { String((0..<length).map { _ in alphabet.randomElement(using: &generator)! }) }
        func document(_ number: Int) -> SearchDocument {
            SearchDocument(title: text(8), url: "b/\(number)/", textURL: "b/\(number)/bulletin.txt", date: "2020-01-0\(number % 9 + 1)",
                           issueLabel: "第\(number)期", year: 2020 - number % 3, tags: number % 2 == 0 ? ["甲"] : ["乙", "甲"],
                           districts: ["西湖区"], headTexts: [text(6)], texts: (0..<3).map { _ in text(80) })
        }
        var documents = (0..<80).map(document)
        var previous = SearchIndex(documents: documents, analyzed: documents.map(AnalyzedDocument.init), layout: layout)
        var singleEditsKeepingFiles = 0
        for step in 0..<14 {
            var edited = documents
            var previousID: [Int?] = Array(documents.indices)
            switch step % 4 {
            case 3:
                // A document added at the front and one removed: every id after them shifts.
                edited.remove(at: Int.random(in: 0..<edited.count, using: &generator))
                edited.insert(document(1000 + step), at: 0)
                let removed = Set(documents.indices).subtracting(edited.compactMap { new in documents.firstIndex { $0.url == new.url } })
                previousID = edited.map { new in documents.firstIndex { $0.url == new.url } }
                #expect(removed.count == 1)
            default:
                // A few documents' texts edited: ids stay.
                for edit in 0..<(1 + step % 3) {
                    // The first and the last document too: where postings start and end.
                    let id = [0: 0, 4: edited.count - 1][step * 10 + edit] ?? Int.random(in: 0..<edited.count, using: &generator)
                    if step % 4 == 1 {
                        // Text added at the end: the tokens before it keep their positions.
                        edited[id].texts.append(text(12))
                    } else {
                        edited[id].texts[1] += text(12)
                        edited[id].texts[2] = text(20)
                    }
                    previousID[id] = nil
                }
            }
            let files = Dictionary(uniqueKeysWithValues: previous.files.map { ($0.path, $0.bytes) })
            let analyzed = Dictionary(uniqueKeysWithValues: previousID.indices.filter { previousID[$0] == nil }.map { ($0, AnalyzedDocument(edited[$0])) })
            let read: @Sendable (String) -> [UInt8]? = { files[$0] }
            // Only texts changed on even steps: the update is told the documents' metadata is the previous index's.
            let update = SearchIndexUpdate.update(documents: step % 2 == 0 && step % 4 != 3 ? nil : edited, previousID: previousID,
                                                  analyzed: analyzed, previousFile: read, layout: layout)
            let updated = try #require(update)
            let full = SearchIndex(documents: edited, analyzed: edited.map(AnalyzedDocument.init), layout: layout)
            #expect(updated.files.map(\.path) == full.files.map(\.path), "step \(step)")
            let different = zip(updated.files, full.files).filter { $0.bytes != $1.bytes }.map(\.0.path)
            #expect(different.isEmpty, "step \(step): \(different.prefix(5))")
            #expect(updated.keptFiles == Set(full.files.filter { files[$0.path] == $0.bytes }.map(\.path)), "step \(step)")
            if step % 4 != 3 && step % 3 == 0 && updated.keptFiles.count > full.files.count / 4 { singleEditsKeepingFiles += 1 }
            documents = edited
            previous = full
        }
        let shards = try DecodedIndex(previous).manifest["termShards"] as! Int
        #expect(previous.files.contains { $0.path.hasPrefix("positions/x/") } && shards > 1, "the layout has several shards and files of their own")
        #expect(singleEditsKeepingFiles == 4, "an edit of one document keeps the files that hold none of its tokens")
    }

    @Test func countsHeadsWordsAndNumbers() throws {
        let document = SearchDocument(
            title: "小青荷志愿服务", url: "a/", textURL: "a/bulletin.txt", date: "2017-03-07", issueLabel: "第1期", year: 2017,
            tags: [], districts: [], headTexts: ["小青荷志愿服务", "施志平"],
            texts: ["累计服务时数达19.4万小时，APP 注册 27,093 户。", "小青荷 app"])
        let decoded = try DecodedIndex(SearchIndex(documents: [document], analyzed: [AnalyzedDocument(document)]))
        #expect(decoded.record("terms", "青荷").map(\.values) == [[2 << 1 | 1]])
        #expect(decoded.record("terms", "时数").map(\.values) == [[1 << 1]])
        #expect(decoded.record("terms", "app").map(\.values) == [[2 << 1]])
        #expect(decoded.record("terms", "194000").count == 1)
        #expect(decoded.record("terms", "19.4").count == 1)
        #expect(decoded.record("terms", "27093").count == 1)
        #expect(decoded.record("terms", "荷").map(\.values) == [[2 << 1 | 1]])
        #expect(decoded.record("positions", "青荷").map(\.values) == [[1, 30]])
        #expect(decoded.phrase("志平累").isEmpty, "no phrase across two texts")
        #expect(decoded.record("terms", "无此").isEmpty)
    }

    @Test func namesAreNumberedInByteOrderOncePerDocument() {
        let (names, ids) = SearchIndex.names([["乙", "甲", "乙"], [], ["b", "a"], ["甲"], ["a", "a"]])
        #expect(names == ["a", "b", "乙", "甲"])
        #expect(ids == [[2, 3], [], [0, 1], [3], [0]])
    }

    @Test func manifestAndDocumentTable() throws {
        let documents = randomDocuments(count: 120, seed: 3)
        let decoded = try DecodedIndex(SearchIndex(documents: documents, analyzed: documents.map(AnalyzedDocument.init)))
        #expect(decoded.manifest["documents"] as? Int == 120)
        #expect(decoded.manifest["years"] as? [Int] == [2020, 2019, 2018])
        #expect(decoded.manifest["tags"] as? [String] == ["乙", "甲"])
        let chunk = try JSONSerialization.jsonObject(with: Data(decoded.files["docs/2.json"]!)) as! [[String: String]]
        #expect(chunk.count == 20)
        #expect(chunk.first?["url"] == "b/100/")
        #expect(chunk.first?["issue"] == "第100期")
        // meta.bin: per document its length, head end, year id, then tag and district ids in name order.
        var meta = VarIntReader(decoded.files["meta.bin"]!)
        var entries: [[Int]] = []
        for _ in 0..<2 {
            _ = (try meta.next(), try meta.next())
            var entry = [try meta.next()]
            for _ in 0..<2 {
                let count = try meta.next()
                entry.append(count)
                for _ in 0..<count { entry.append(try meta.next()) }
            }
            entries.append(entry)
        }
        #expect(entries == [[0, 1, 1, 1, 0], [1, 2, 0, 1, 1, 0]], "2020 with 甲; 2019 with 乙 and 甲; both in 西湖区")
        let other = randomDocuments(count: 120, seed: 4)
        let changed = try DecodedIndex(SearchIndex(documents: other, analyzed: other.map(AnalyzedDocument.init)))
        #expect(changed.manifest["version"] as? String != decoded.manifest["version"] as? String)
    }
}

@Suite struct TokenSortTests {
    /// Entries as a document yields them: positions ascending, tokens in any order and repeated.
    static func entries(count: Int, tokenBits: UInt64, distinctTokens: UInt64, seed: UInt64) -> [UInt64] {
        var generator = SeededGenerator(seed: seed)
        let tokens = (0..<distinctTokens).map { _ in UInt64.random(in: 0...(1 << tokenBits) - 1, using: &generator) }
        var position: UInt64 = 0
        return (0..<count).map { _ in
            position += UInt64.random(in: 1...3, using: &generator)
            return tokens.randomElement(using: &generator)! << AnalyzedDocument.positionBits | position
        }
    }

    @Test(arguments: [(0, 42), (1, 42), (2, 21), (3000, 42), (3000, 21), (20000, 42)])
    func sortingByTokenGivesTheSortedOrder(count: Int, tokenBits: UInt64) {
        for distinct: UInt64 in [1, 7, 500] {
            var entries = Self.entries(count: count, tokenBits: tokenBits, distinctTokens: distinct, seed: UInt64(count) &* distinct)
            let expected = entries.sorted()
            AnalyzedDocument.sortByToken(&entries, tokenBits: tokenBits)
            #expect(entries == expected)
        }
    }

    @Test func anAnalysedDocumentsTokensAreSorted() {
        let document = SearchDocument(
            title: "文明城市建设", url: "b/1/", textURL: "b/1/bulletin.txt", date: "2017-01-05", issueLabel: "第1期", year: 2017,
            tags: [], districts: [], headTexts: ["文明城市建设"],
            texts: ["全市志愿者服务时长达19.4万小时，文明城市建设成效显著。", "文明家庭、文明社区，文明城市。"])
        let analyzed = AnalyzedDocument(document)
        #expect(analyzed.bigrams == analyzed.bigrams.sorted() && analyzed.characters == analyzed.characters.sorted())
        #expect(analyzed.characters.count > 20 && analyzed.bigrams.count > 20)
    }
}

@Suite struct PostingBytesTests {
    /// Varints and runs of bytes appended in any mix come back in order, in pieces no larger than a piece.
    @Test(arguments: [0, 1, 90, 200, 1_500])
    func appendedBytesComeBackInOrderInBoundedPieces(appends: Int) {
        var generator = SeededGenerator(seed: UInt64(appends) + 1)
        var postings = PostingBytes()
        var expected: [UInt8] = []
        for _ in 0..<appends {
            if Bool.random(using: &generator) {
                let value = Int.random(in: 0...Int(UInt32.max), using: &generator) >> Int.random(in: 0...31, using: &generator)
                postings.append(varInt: value)
                VarInt.append(value, to: &expected)
            } else {
                let run = (0..<Int.random(in: 0...3_000, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
                postings.append(contentsOf: run)
                expected += run
            }
        }
        #expect(postings.count == expected.count && postings.isEmpty == expected.isEmpty)
        #expect(postings.joined() == expected)
        #expect(Array(postings.allPieces.joined()) == expected)
        // A piece holds what its allocation holds: the piece size, rounded up by the allocator.
        #expect(postings.allPieces.allSatisfy { !$0.isEmpty }, "\(postings.allPieces.map(\.count))")
        #expect(postings.allPieces.allSatisfy { $0.capacity <= PostingBytes.pieceSize + 64 },
                "pieces are not doubled past the piece size: \(postings.allPieces.map(\.capacity))")
    }
}
