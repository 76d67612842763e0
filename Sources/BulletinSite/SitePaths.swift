import BulletinAggregates
import BulletinModel

/// Where pages live in the output, as site-relative folder paths ending in `/` (empty for the home page).
/// Folder names keep Chinese characters; `href` percent-encodes them for links.
enum SitePaths {
    static let archive = "bulletins/"
    static let stats = "stats/"
    static let exemplars = "exemplars/"
    /// The search page and, beside it, the search index.
    static let search = "search/"

    static func year(_ year: Int) -> String { "bulletins/\(year)/" }

    /// The folder of a bulletin's page: site.yaml's `permalink` filled in with the series' slug, the year, the
    /// issue and the serial (the issue when there is none); without one, `bulletins/{year}/{serial}/` for a site of
    /// one series and `{series}/{year}/{serial}/` for several. Made for every bulletin in every build: the pattern
    /// is read piece by piece and the slug worked out only when it is used.
    static func bulletin(_ bulletin: Bulletin, config: SiteConfig) -> String {
        func slug() -> String { config.seriesSettings(bulletin.series)?.slug ?? Normalization.pathSegment(bulletin.series) }
        guard let pattern = config.permalink else {
            let top = config.seriesList.count > 1 ? slug() : "bulletins"
            return "\(top)/\(bulletin.date.year)/\(bulletin.pageNumber)/"
        }
        var folder = ""
        var rest = pattern[...]
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            folder += rest[..<open]
            switch rest[rest.index(after: open)..<close] {
            case "series": folder += slug()
            case "year": folder += String(bulletin.date.year)
            case "issue": folder += String(bulletin.issue)
            default: folder += String(bulletin.pageNumber)
            }
            rest = rest[rest.index(after: close)...]
        }
        return folder + rest
    }

    /// The archive of one series of a site that publishes several.
    static func series(_ series: SeriesSettings) -> String { "\(series.slug)/" }

    static func stat(_ key: String) -> String { "stats/\(key)/" }

    static func exemplar(kind: Exemplar.Kind, slug: String) -> String { "exemplars/\(kind.rawValue)/\(slug)/" }

    static func taxonomy(_ field: String) -> String { "\(field)/" }

    static func term(_ field: String, slug: String) -> String { "\(field)/\(slug)/" }

    /// Page `number` of a paginated list whose first page is `directory`.
    static func paginated(_ directory: String, page number: Int) -> String {
        number == 1 ? directory : directory + "page/\(number)/"
    }

    /// The path percent-encoded for an `href` or a URL.
    static func href(_ path: String) -> String {
        Normalization.percentEncodedPath(path)
    }

    /// The way back to the site root from a page in `directory`: `./` for the root itself, else `../` per level.
    static func root(from directory: String) -> String {
        let depth = directory.split(separator: "/").count
        return depth == 0 ? "./" : String(repeating: "../", count: depth)
    }
}
