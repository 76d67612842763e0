import BulletinModel
import BulletinSearch

/// What the search index is built from: each bulletin's searchable text, in the site's order.
extension SiteRenderer {
    /// The search document of the bulletin at `index`.
    func searchDocument(_ index: Int) -> SearchDocument {
        let loaded = bulletins[index]
        let bulletin = loaded.bulletin
        let path = model.hrefs[index]
        var texts = loaded.body.textBlocks.map(\.text)
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
            title: bulletin.title, url: path, textURL: path + TextEditionFile.name, date: bulletin.date.iso,
            issueLabel: bulletin.issueLabel, year: bulletin.date.year, tags: bulletin.tags, districts: bulletin.districts,
            headTexts: [bulletin.title] + bulletin.exemplars.map(\.name), texts: texts)
    }

    /// The search index of the whole site, analysed on `jobs` workers a batch at a time (so only one batch's
    /// tokens are in memory besides the postings).
    func searchIndex(jobs: Int) async -> SearchIndex {
        var builder = SearchIndexBuilder()
        for start in stride(from: 0, to: bulletins.count, by: 512) {
            let documents = (start..<min(bulletins.count, start + 512)).map(searchDocument)
            let analyzed = await parallelMap(documents, jobs: jobs) { AnalyzedDocument($0) }
            for (document, analysis) in zip(documents, analyzed) { builder.add(document, analyzed: analysis) }
        }
        return builder.finish()
    }
}
