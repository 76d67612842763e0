import BulletinModel
import BulletinSearch
import BulletinSupport
import Foundation

/// What the search index is built from: each bulletin's searchable text, in the site's order.
extension SiteOrder {
    /// The search document of the bulletin at `index`; without `texts`, only what the index stores of it.
    func searchDocument(_ index: Int, texts withTexts: Bool = true) throws(Diagnostic) -> SearchDocument {
        let loaded = bulletins[index]
        let bulletin = loaded.facts.bulletin
        let path = hrefs[index]
        guard withTexts else {
            return SearchDocument(
                title: bulletin.title, url: path, textURL: path + PagePlan.textEditionName, date: bulletin.date.iso,
                issueLabel: bulletin.issueLabel, year: bulletin.date.year, tags: bulletin.tags, districts: bulletin.districts,
                headTexts: [], texts: [])
        }
        var texts = try loaded.body().textBlocks.map(\.text)
        for exemplar in bulletin.exemplars {
            texts += [exemplar.honor, exemplar.program, exemplar.conferredBy].compactMap { $0 }
        }
        for stat in bulletin.stats {
            texts.append(stat.label)
            texts.append(stat.value.display + stat.unit)
            if let scope = stat.scope { texts.append(scope) }
        }
        texts += bulletin.tags + bulletin.districts
        return SearchDocument(
            title: bulletin.title, url: path, textURL: path + PagePlan.textEditionName, date: bulletin.date.iso,
            issueLabel: bulletin.issueLabel, year: bulletin.date.year, tags: bulletin.tags, districts: bulletin.districts,
            headTexts: [bulletin.title] + bulletin.exemplars.map(\.name), texts: texts)
    }

    /// The search index of the whole site: `previous` updated with the bulletins changed since, when it can
    /// be, else built from every bulletin. Nil when the task is cancelled (the build failed its checks); fails
    /// when the body of a bulletin from the build cache can no longer be read.
    func searchIndex(jobs: Int, previous: PreviousSearchIndex?) async throws -> (index: SearchIndex, how: SearchIndexOrigin)? {
        if let previous, let updated = try await updatedSearchIndex(previous, jobs: jobs) { return (updated, .updated) }
        return try await searchIndex(jobs: jobs).map { ($0, .built) }
    }

    /// The previous index with the bulletins whose file changed (or that are new) analysed again; nil when
    /// that is not possible or would not be faster than a full build. When the previous index had the same
    /// bulletins in the same order with the same facts, only their texts changed: the documents' metadata is the
    /// previous index's and is not made again.
    private func updatedSearchIndex(_ previous: PreviousSearchIndex, jobs: Int) async throws -> SearchIndex? {
        let sameFacts = previous.order.count == bulletins.count
            && zip(previous.order, bulletins).allSatisfy { $0.path == $1.sourcePath && $0.factsKey == $1.factsKey }
        let previousID: [Int?]
        if sameFacts {
            previousID = zip(previous.order, bulletins).enumerated().map { $1.0.key == $1.1.sourceKey ? $0 : nil }
        } else {
            let indexed = Dictionary(previous.order.enumerated().map { ($1.path, (id: $0, bulletin: $1)) }) { first, _ in first }
            previousID = bulletins.map { loaded in
                guard let old = indexed[loaded.sourcePath], old.bulletin == SiteMemo.Record.OrderedSource(loaded) else { return nil }
                return old.id
            }
        }
        let changed = previousID.indices.filter { previousID[$0] == nil }
        guard changed.count <= max(16, bulletins.count / 4) else { return nil }
        let analyses = try concurrentMap(changed.count, jobs: jobs) { number in
            Result { () throws(Diagnostic) in (changed[number], AnalyzedDocument(try searchDocument(changed[number]))) }
        }.map { try $0.get() }
        let documents = sameFacts ? nil : try bulletins.indices.map { index throws(Diagnostic) in try searchDocument(index, texts: false) }
        return SearchIndexUpdate.update(documents: documents, previousID: previousID, analyzed: Dictionary(uniqueKeysWithValues: analyses),
                                        previousFile: previous.read)
    }

    /// The search index of the whole site, analysed on `jobs` workers a batch at a time (so only one batch's
    /// tokens are in memory besides the postings); nil when the task is cancelled.
    func searchIndex(jobs: Int) async throws -> SearchIndex? {
        // A batch of 512 bulletins' tokens and texts was 30 MB at the peak of a 10,000-bulletin build; 64 are as fast.
        let batch = 64
        var builder = SearchIndexBuilder()
        for start in stride(from: 0, to: bulletins.count, by: batch) {
            if Task.isCancelled { return nil }
            let documents = try (start..<min(bulletins.count, start + batch)).map { index throws(Diagnostic) in try searchDocument(index) }
            let analyzed = concurrentMap(documents.count, jobs: jobs) { AnalyzedDocument(documents[$0]) }
            for (document, analysis) in zip(documents, analyzed) { builder.add(document, analyzed: analysis) }
        }
        return (consume builder).finish()
    }
}

/// The previous build's search index: the bulletins it indexed in order, and a reader of its files.
struct PreviousSearchIndex: Sendable {
    var order: [SiteMemo.Record.OrderedSource]
    var read: @Sendable (String) -> [UInt8]?
}

/// The search index stage's use of the memo: the previous index kept as it is when its inputs are unchanged
/// and its files are still there, else updated from it when it can be read, and each file of the new index
/// kept when the previous index had it with the same bytes.
struct SearchPlan: Sendable {
    private let memo: SiteMemo?
    private let memory: BuildMemory?
    /// Digest of the index's inputs: the tool, the settings, and each bulletin's file and facts in site order.
    private let fingerprint: UInt64
    /// Whether the previous index was made from the same inputs and every file of it is still unchanged.
    let isUnchanged: Bool
    /// The previous index to update, when it is not unchanged.
    let previous: PreviousSearchIndex?

    init(order: SiteOrder, settings: UInt64, memo: SiteMemo?, memory: BuildMemory?, destination: URL) {
        self.memo = memo
        self.memory = memory
        var digest = StableDigest()
        digest.add(settings)
        digest.add(SearchIndex.formatVersion)
        for loaded in order.bulletins {
            digest.add(loaded.sourceKey)
            digest.add(loaded.factsKey)
        }
        fingerprint = digest.value
        let files = memo?.previous.searchIndex ?? [:]
        // A preview folder only these builds write need not be checked.
        let intact = !files.isEmpty && (memory != nil || files.allSatisfy { FileStamp(path: destination.path + "/" + $0.key) == $0.value.stamp })
        isUnchanged = intact && files.values.allSatisfy { $0.fingerprint == digest.value }
        guard !isUnchanged, let memo, !memo.previous.order.isEmpty, !files.isEmpty else {
            previous = nil
            return
        }
        if let remembered = memory?.state.get().searchFiles, remembered.count == files.count {
            previous = PreviousSearchIndex(order: memo.previous.order) { remembered[$0] }
        } else if intact {
            let folder = destination.path + "/" + SitePaths.search
            previous = PreviousSearchIndex(order: memo.previous.order) { path in
                files[SitePaths.search + path] == nil ? nil : FileBytes.read(folder + path)
            }
        } else {
            previous = nil
        }
    }

    /// Keeps the previous index in the new output; false (with nothing kept) when it cannot be.
    func keep(publisher: OutputPublisher) -> Bool {
        let files = memo?.previous.searchIndex ?? [:]
        guard publisher.keepPrevious(Array(files.keys)) else { return false }
        memo?.record(searchIndex: files, kept: files.count)
        return true
    }

    /// Writes `index` into the staging folder, keeping the files an updated index shares with the previous one.
    func write(_ index: SearchIndex, publisher: OutputPublisher, jobs: Int) throws {
        let previousFiles = memo?.previous.searchIndex ?? [:]
        let outcomes = concurrentMap(index.files.count, jobs: jobs) { number -> Result<(String, FileStamp, kept: Bool), PublishError> in
            let file = index.files[number], path = SitePaths.search + file.path
            if index.keptFiles.contains(file.path), let output = previousFiles[path], publisher.linkPrevious(path) {
                return .success((path, output.stamp, true))
            }
            do {
                return .success((path, try publisher.write(pieces: file.pieces, to: path), false))
            } catch {
                return .failure(error as? PublishError ?? PublishError("\(error)"))
            }
        }
        var files: [String: SiteMemo.Record.Output] = [:], kept = 0
        for outcome in outcomes {
            let (path, stamp, wasKept) = try outcome.get()
            files[path] = .init(fingerprint: fingerprint, stamp: stamp)
            if wasKept { kept += 1 }
        }
        memo?.record(searchIndex: files, kept: kept)
        if let memory { memory.state.update { $0.searchFiles = Dictionary(uniqueKeysWithValues: index.files.map { ($0.path, $0.bytes) }) } }
    }
}
