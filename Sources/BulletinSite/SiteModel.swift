import BulletinAggregates
import BulletinModel
import Foundation

/// The bulletins in site order, newest first (date, then series, issue and path as tie-breaks), with their
/// pages' links: what the search index needs, known before the checks and aggregates.
struct SiteOrder: Sendable {
    let bulletins: [LoadedBulletin]
    /// Each bulletin's page, site-relative and percent-encoded.
    let hrefs: [String]

    init(_ loaded: [LoadedBulletin]) {
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
        hrefs = bulletins.map { SitePaths.href(SitePaths.bulletin(year: $0.date.year, page: $0.pageNumber)) }
    }
}

/// The whole site in memory after validation: bulletins in their fixed order and everything derived from
/// them together. Bulletins are newest first (date, then series, issue and path as tie-breaks), so every list
/// and every page is the same from build to build.
struct SiteModel: Sendable {
    let config: SiteConfig
    /// Newest first.
    private(set) var bulletins: [LoadedBulletin]
    /// Years with bulletins, newest first.
    let years: [Int]
    /// The indices of each year's bulletins, in site order.
    let bulletinsByYear: [Int: [Int]]
    /// Each bulletin's page, site-relative and percent-encoded: linked from many pages, encoded once.
    let hrefs: [String]
    /// For each bulletin, the indices of its older and newer neighbours in the same series.
    let neighbours: [(older: Int?, newer: Int?)]
    let stats: [StatSeries]
    let exemplars: [ExemplarEntry]
    /// Tags, districts, and series when a site has more than one.
    let taxonomies: [Taxonomy]
    /// The folder name of every tag, district and exemplar name percent-encoded for links, computed once
    /// (Unicode normalisation and encoding are costly, and every bulletin page links to these).
    let encodedFolderNames: [String: String]

    /// Derives the aggregates of bulletins in site order; the diagnostics include contradictions between bulletins.
    /// `previous` (a model of the same settings, with its diagnostics) is reused with the new bulletins when they
    /// are the same files in the same order with the same facts: the aggregates are made of nothing else.
    static func build(config: SiteConfig, order: SiteOrder,
                      reusing previous: (model: SiteModel, diagnostics: [Diagnostic])? = nil) -> (SiteModel, [Diagnostic]) {
        let sorted = order.bulletins
        if let previous, previous.model.bulletins.count == sorted.count, zip(previous.model.bulletins, sorted).allSatisfy({
            $0.sourcePath == $1.sourcePath && $0.factsKey == $1.factsKey
        }) {
            var model = previous.model
            model.bulletins = sorted
            return (model, previous.diagnostics)
        }
        let bulletins = sorted.map(\.bulletin)
        var neighbours = [(older: Int?, newer: Int?)](repeating: (nil, nil), count: sorted.count)
        var lastSeen: [String: Int] = [:]
        for index in sorted.indices.reversed() {
            let series = bulletins[index].series
            if let older = lastSeen[series] {
                neighbours[index].older = older
                neighbours[older].newer = index
            }
            lastSeen[series] = index
        }
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
        let stats = statsPart.get(), exemplars = exemplarsPart.get(), encodedFolderNames = namesPart.get()
        let terms = termsPart.get()
        let tags = terms[0], districts = terms[1], series = terms[2]
        var taxonomies = [tags.taxonomy, districts.taxonomy]
        if series.taxonomy.terms.count > 1 { taxonomies.append(series.taxonomy) }
        let model = SiteModel(
            config: config, bulletins: sorted, years: Array(Set(bulletins.map(\.date.year))).sorted(by: >),
            bulletinsByYear: Dictionary(grouping: bulletins.indices) { bulletins[$0].date.year },
            hrefs: order.hrefs,
            neighbours: neighbours, stats: stats.series, exemplars: exemplars.entries, taxonomies: taxonomies,
            encodedFolderNames: encodedFolderNames)
        let diagnostics = stats.diagnostics + exemplars.diagnostics + tags.diagnostics + districts.diagnostics
            + series.diagnostics + Continuity.check(bulletins)
        return (model, diagnostics)
    }
}

extension SiteModel {
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

    /// The folder name of a tag, district or exemplar name, percent-encoded for links.
    func encodedFolderName(_ name: String) -> String {
        encodedFolderNames[name] ?? Normalization.percentEncoded(Normalization.pathSegment(name))
    }
}
