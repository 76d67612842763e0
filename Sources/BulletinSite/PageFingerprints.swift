import BulletinAggregates
import BulletinModel
import BulletinSupport
import BulletinTemplates
import Foundation

/// Digests of what each planned page shows, compared with the build cache's to decide whether a file must be
/// rendered again. A page's fingerprint is the digest of its typed inputs: the tool, site settings and
/// templates (`base`), its file, and the values it shows, each bulletin it lists standing for what its entry
/// shows (title, series, issue, date, summary and page).
struct PageFingerprints: Sendable {
    let model: SiteModel
    /// Digest of the tool, the site settings and the templates.
    let base: UInt64
    /// Digest of every bulletin's facts in site order: what the data files and the sitemap are made from.
    let facts: UInt64
    /// Digest of what every page shows of the site besides its own content: the taxonomies in the navigation.
    let site: UInt64
    /// Digest of each bulletin's list entry, by index, worked out ahead when many pages are to be fingerprinted.
    private let entries: [UInt64]?

    /// Fingerprints of `model`'s pages; `manyPages` works every entry's digest out ahead.
    init(model: SiteModel, base: UInt64, manyPages: Bool = true) {
        self.model = model
        self.base = base
        var facts = StableDigest()
        for loaded in model.bulletins { facts.add(loaded.factsKey) }
        self.facts = facts.value
        var site = StableDigest()
        for taxonomy in model.taxonomies where !taxonomy.terms.isEmpty { site.add(taxonomy.field) }
        self.site = site.value
        entries = manyPages ? model.bulletins.indices.map { Self.entry($0, of: model) } : nil
    }

    private static func entry(_ index: Int, of model: SiteModel) -> UInt64 {
        let bulletin = model.bulletins[index].bulletin
        var entry = StableDigest()
        for text in [bulletin.title, bulletin.series, bulletin.issueLabel, bulletin.date.iso, model.bulletins[index].summary, model.hrefs[index]] {
            entry.add(text)
        }
        return entry.value
    }

    private func entry(_ index: Int) -> UInt64 { entries?[index] ?? Self.entry(index, of: model) }

    /// The digest every page's fingerprint starts from: the tool and site settings (`SiteSources.settings`)
    /// and the templates.
    static func pagesBase(settings: UInt64, templates: TemplateLibrary) -> UInt64 {
        var base = StableDigest()
        base.add(settings)
        base.add(templates.digest)
        return base.value
    }

    /// The digest of one output file's inputs.
    func page(_ page: Page) -> UInt64 {
        var digest = StableDigest()
        digest.add(base)
        digest.add(page.file)
        digest.add(site)
        func add(entries: some Sequence<Int>) {
            for index in entries { digest.add(entry(index)) }
        }
        func add(list: Page.ListPage) {
            digest.add(list.pagination.number)
            digest.add(list.pagination.count)
            add(entries: list.items)
        }
        func add(encoding value: some Encodable) {
            digest.add((try? JSONEncoder.sorted.encode(value)).map(Array.init) ?? [])
        }
        switch page.kind {
        case .home(let list):
            add(list: list)
            add(entries: model.bulletinsBySeries.compactMap(\.first))
            add(encoding: model.years)
            add(encoding: model.years.map { model.bulletinsByYear[$0]?.count ?? 0 })
        case .archive:
            add(encoding: model.years)
            add(encoding: model.years.map { model.bulletinsByYear[$0]?.count ?? 0 })
        case .year(_, let list):
            add(list: list)
        case .series(let index, let list):
            digest.add(model.config.seriesList[index].name)
            add(list: list)
        case .bulletin(let bulletinPage):
            // Its own file (every link on it is a function of names in the file) and its neighbours' entries.
            digest.add(model.bulletins[bulletinPage.index].sourceKey)
            for neighbour in [bulletinPage.older, bulletinPage.newer] { digest.add(neighbour.map(entry) ?? 0) }
        case .textEdition(let index):
            digest.add(model.bulletins[index].sourceKey)
        case .printEdition(let index):
            // What its page prints (the links to its neighbours are not printed), with this machine's fonts and browser.
            digest.add(model.bulletins[index].sourceKey)
            digest.add(PrintEdition.printerIdentity)
        case .bulletinFile(let index, let file):
            digest.add(model.bulletins[index].facts.files[file].sha256)
        case .taxonomy(let index):
            add(encoding: model.taxonomies[index].terms.map { [$0.name, $0.slug, String($0.bulletins.count)] })
        case .term(let taxonomy, let term, let list):
            digest.add(model.taxonomies[taxonomy].terms[term].name)
            add(list: list)
        case .statsIndex:
            add(encoding: model.stats)
        case .stat(let index):
            add(encoding: model.stats[index])
            add(entries: model.stats[index].bulletins)
        case .statValues(let index):
            add(encoding: model.stats[index])
            add(entries: model.stats[index].bulletins)
        case .exemplarIndex:
            add(encoding: model.exemplars)
        case .exemplar(let index):
            add(encoding: model.exemplars[index])
            add(entries: model.exemplars[index].mentions.map(\.bulletin))
        case .search, .notFound:
            break
        case .feed, .seriesFeed, .sitemap, .data:
            digest.add(facts)
        }
        return digest.value
    }
}
