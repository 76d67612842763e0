import BulletinAggregates
import BulletinModel
import BulletinSupport
import Foundation

/// The bulletins in site order, newest first (date, then series, issue and path as tie-breaks), with their
/// pages' links: what the search index needs, known before the checks and aggregates.
struct SiteOrder: Sendable {
    let bulletins: [LoadedBulletin]
    /// Each bulletin's page folder, site-relative, not yet percent-encoded.
    let folders: [String]
    /// Each bulletin's page, site-relative and percent-encoded.
    let hrefs: [String]

    /// `loaded` in site order, their pages where `config`'s permalink puts them.
    init(_ loaded: [LoadedBulletin], config: SiteConfig) {
        // Sorted by keys worked out once: series ranked in byte order (String's comparisons would normalise CJK
        // text every time), dates as numbers.
        var seriesRank: [UTF8Key: Int] = [:]
        for item in loaded { seriesRank[UTF8Key(item.series)] = 0 }
        for (rank, series) in seriesRank.keys.sorted(by: { UTF8Key.precedes($0.string, $1.string) }).enumerated() {
            seriesRank[series] = rank
        }
        let keys = loaded.map { item in
            let date = item.date
            return (date: date.year * 10_000 + date.month * 100 + date.day, series: seriesRank[UTF8Key(item.series)]!,
                    issue: item.issue)
        }
        let order = loaded.indices.sorted { a, b in
            if keys[a].date != keys[b].date { return keys[a].date > keys[b].date }
            if keys[a].series != keys[b].series { return keys[a].series < keys[b].series }
            if keys[a].issue != keys[b].issue { return keys[a].issue > keys[b].issue }
            return UTF8Key.precedes(loaded[a].sourcePath, loaded[b].sourcePath)
        }
        bulletins = order.map { loaded[$0] }
        folders = bulletins.map { SitePaths.bulletin($0.facts.bulletin, config: config) }
        hrefs = folders.map(SitePaths.href)
    }
}

/// What the bulletins of a site make together, worked out from every bulletin's facts (front matter and
/// summary) in site order and nothing else: kept by the build cache and reused while those are the same.
struct SiteAggregates: Sendable, Equatable, Codable {
    let stats: [StatSeries]
    let exemplars: [ExemplarEntry]
    /// Tags, districts, and series when a site has more than one and does not list them in site.yaml.
    let taxonomies: [Taxonomy]
    /// The folder name of every tag, district and exemplar name percent-encoded for links, computed once
    /// (Unicode normalisation and encoding are costly, and every bulletin page links to these).
    let encodedFolderNames: [String: String]
    /// The contradictions between bulletins; the build reads their source lines before the cache keeps them.
    var diagnostics: [Diagnostic]
}

/// The whole site in memory after validation: bulletins in their fixed order and everything derived from
/// them together. Bulletins are newest first (date, then series, issue and path as tie-breaks), so every list
/// and every page is the same from build to build.
struct SiteModel: Sendable {
    let config: SiteConfig
    /// Newest first.
    let bulletins: [LoadedBulletin]
    /// Years with bulletins, newest first.
    let years: [Int]
    /// The indices of each year's bulletins, in site order.
    let bulletinsByYear: [Int: [Int]]
    /// Each bulletin's page folder, site-relative, not yet percent-encoded.
    let folders: [String]
    /// Each bulletin's page, site-relative and percent-encoded: linked from many pages, encoded once.
    let hrefs: [String]
    /// For each bulletin, the indices of its older and newer neighbours in the same series.
    let neighbours: [(older: Int?, newer: Int?)]
    /// Everything worked out from all the bulletins' facts together.
    let aggregates: SiteAggregates
    /// The indices of each listed series' bulletins (site.yaml `series` as a list, in its order), in site order.
    let bulletinsBySeries: [[Int]]

    var stats: [StatSeries] { aggregates.stats }
    var exemplars: [ExemplarEntry] { aggregates.exemplars }
    var taxonomies: [Taxonomy] { aggregates.taxonomies }

    /// The model of bulletins in site order with their aggregates (worked out when not given).
    init(config: SiteConfig, order: SiteOrder, aggregates: SiteAggregates? = nil) {
        let sorted = order.bulletins
        var neighbours = [(older: Int?, newer: Int?)](repeating: (nil, nil), count: sorted.count)
        var lastSeen: [UTF8Key: Int] = [:]
        for index in sorted.indices.reversed() {
            let series = UTF8Key(sorted[index].series)
            if let older = lastSeen[series] {
                neighbours[index].older = older
                neighbours[older].newer = index
            }
            lastSeen[series] = index
        }
        let years = sorted.map(\.date.year)
        self.config = config
        bulletins = sorted
        self.years = Array(Set(years)).sorted(by: >)
        bulletinsByYear = Dictionary(grouping: sorted.indices) { years[$0] }
        folders = order.folders
        hrefs = order.hrefs
        bulletinsBySeries = config.seriesList.map { series in sorted.indices.filter { sorted[$0].series == series.name } }
        self.neighbours = neighbours
        self.aggregates = aggregates ?? SiteAggregates(of: order, config: config)
    }
}

extension SiteAggregates {
    /// Works out the aggregates of bulletins in site order; the diagnostics are the contradictions between them,
    /// their source lines still to be read.
    init(of order: SiteOrder, config: SiteConfig) {
        let bulletins = order.bulletins.map(\.bulletin)
        // The aggregates are independent of each other: worked out side by side.
        let statsPart = LockedValue<(series: [StatSeries], diagnostics: [Diagnostic])>(([], []))
        let exemplarsPart = LockedValue<(entries: [ExemplarEntry], diagnostics: [Diagnostic])>(([], []))
        let termsPart = LockedValue<[(taxonomy: Taxonomy, diagnostics: [Diagnostic])]>([])
        let namesPart = LockedValue<[String: String]>([:])
        DispatchQueue.concurrentPerform(iterations: 4) { part in
            switch part {
            case 0:
                statsPart.set(StatsIndex.build(bulletins, conflictSeverity: config.statConflicts))
            case 1:
                exemplarsPart.set(ExemplarIndex.build(bulletins))
            case 2:
                let tags = Taxonomy.build(field: "tags", label: "标签", bulletins) { $0.tags }
                let districts = Taxonomy.build(field: "districts", label: "地区", bulletins) { $0.districts }
                let series = Taxonomy.build(field: "series", label: "系列", bulletins) { [$0.series] }
                termsPart.set([tags, districts, series])
            default:
                namesPart.set(Self.encodedFolderNames(of: bulletins))
            }
        }
        let stats = statsPart.get(), exemplars = exemplarsPart.get()
        let terms = termsPart.get()
        let tags = terms[0], districts = terms[1], series = terms[2]
        var taxonomies = [tags.taxonomy, districts.taxonomy]
        // Series listed in site.yaml have archives of their own (`SitePaths.series`); others get term pages.
        if series.taxonomy.terms.count > 1 && config.seriesList.count < 2 { taxonomies.append(series.taxonomy) }
        let diagnostics = stats.diagnostics + exemplars.diagnostics + tags.diagnostics + districts.diagnostics
            + series.diagnostics + Continuity.check(bulletins)
        self.init(stats: stats.series, exemplars: exemplars.entries, taxonomies: taxonomies, encodedFolderNames: namesPart.get(),
                  diagnostics: diagnostics)
    }

    /// The folder name of every tag, district and exemplar name, percent-encoded.
    private static func encodedFolderNames(of bulletins: [Bulletin]) -> [String: String] {
        // Gathered by bytes (hashing Chinese names as `String`s normalises each), encoded once each.
        var distinct: Set<UTF8Key> = []
        for bulletin in bulletins {
            for name in bulletin.tags { distinct.insert(UTF8Key(name)) }
            for name in bulletin.districts { distinct.insert(UTF8Key(name)) }
            for exemplar in bulletin.exemplars { distinct.insert(UTF8Key(exemplar.name)) }
        }
        return Dictionary(distinct.map { ($0.string, Normalization.percentEncoded(Normalization.pathSegment($0.string))) }) { first, _ in first }
    }
}

extension SiteModel {
    /// The folder name of a tag, district or exemplar name, percent-encoded for links.
    func encodedFolderName(_ name: String) -> String {
        aggregates.encodedFolderNames[name] ?? Normalization.percentEncoded(Normalization.pathSegment(name))
    }
}
