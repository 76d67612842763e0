import BulletinModel
import BulletinSearch

/// What the search index is built from: each bulletin's searchable text, in the site's order.
extension SiteOrder {
    /// The search document of the bulletin at `index`; without `texts`, only what the index stores of it.
    func searchDocument(_ index: Int, texts withTexts: Bool = true) throws(Diagnostic) -> SearchDocument {
        let loaded = bulletins[index]
        let bulletin = loaded.bulletin
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
    /// that is not possible or would not be faster than a full build.
    private func updatedSearchIndex(_ previous: PreviousSearchIndex, jobs: Int) async throws -> SearchIndex? {
        let indexed = Dictionary(previous.order.enumerated().map { ($1.path, (id: $0, bulletin: $1)) }) { first, _ in first }
        let previousID: [Int?] = bulletins.map { loaded in
            guard let old = indexed[loaded.sourcePath], old.bulletin == IndexedBulletin(loaded) else { return nil }
            return old.id
        }
        let changed = previousID.indices.filter { previousID[$0] == nil }
        guard changed.count <= max(16, bulletins.count / 4) else { return nil }
        let analyses = try concurrentMap(changed.count, jobs: jobs) { number in
            Result { () throws(Diagnostic) in (changed[number], AnalyzedDocument(try searchDocument(changed[number]))) }
        }.map { try $0.get() }
        return SearchIndexUpdate.update(
            documents: try bulletins.indices.map { index throws(Diagnostic) in try searchDocument(index, texts: false) }, previousID: previousID,
            analyzed: Dictionary(uniqueKeysWithValues: analyses), previousFile: previous.read)
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

extension IndexedBulletin {
    init(_ loaded: LoadedBulletin) {
        self.init(path: loaded.sourcePath, key: loaded.sourceKey, factsKey: loaded.factsKey)
    }
}
