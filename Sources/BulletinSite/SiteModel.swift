import BulletinAggregates
import BulletinModel

/// The whole site in memory after validation: bulletins in their fixed order and everything derived from
/// them together. Bulletins are newest first (date, then series, issue and path as tie-breaks), so every list
/// and every page is the same from build to build.
struct SiteModel: Sendable {
    let config: SiteConfig
    /// Newest first.
    let bulletins: [LoadedBulletin]
    /// Years with bulletins, newest first.
    let years: [Int]
    /// Series names in order, with the folder of their page.
    let series: [(name: String, slug: String)]
    /// For each bulletin, the indices of its older and newer neighbours in the same series.
    let neighbours: [(older: Int?, newer: Int?)]
    let stats: [StatSeries]
    let exemplars: [ExemplarEntry]
    let taxonomies: [Taxonomy]

    /// Orders the bulletins and derives the aggregates; the diagnostics include contradictions between bulletins.
    static func build(config: SiteConfig, bulletins loaded: [LoadedBulletin]) -> (SiteModel, [Diagnostic]) {
        let sorted = loaded.sorted { a, b in
            let x = a.bulletin, y = b.bulletin
            if x.date != y.date { return x.date > y.date }
            if x.series != y.series { return x.series.utf8.lexicographicallyPrecedes(y.series.utf8) }
            if x.issue != y.issue { return x.issue > y.issue }
            return x.sourcePath.utf8.lexicographicallyPrecedes(y.sourcePath.utf8)
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
        let stats = StatsIndex.build(bulletins, conflictSeverity: config.statConflicts)
        let exemplars = ExemplarIndex.build(bulletins)
        let tags = Taxonomy.build(field: "tags", label: "标签", bulletins) { $0.tags }
        let districts = Taxonomy.build(field: "districts", label: "地区", bulletins) { $0.districts }
        let seriesNames = Array(Set(bulletins.map(\.series))).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        let model = SiteModel(
            config: config, bulletins: sorted, years: Array(Set(bulletins.map(\.date.year))).sorted(by: >),
            series: seriesNames.map { ($0, Normalization.pathSegment($0)) }, neighbours: neighbours,
            stats: stats.series, exemplars: exemplars.entries, taxonomies: [tags.taxonomy, districts.taxonomy])
        let diagnostics = stats.diagnostics + exemplars.diagnostics + tags.diagnostics + districts.diagnostics
            + Continuity.check(bulletins)
        return (model, diagnostics)
    }

    /// Whether the site has more than one series, and so series pages.
    var hasSeriesPages: Bool { series.count > 1 }
}
