import BulletinModel
import BulletinTemplates
import BulletinText

/// One page of the site to render: which template, and where it goes.
enum PageKind: Sendable {
    case home
    case archive
    case year(Int)
    /// Index into the sorted bulletins.
    case bulletin(Int)
    /// The plain-text edition of a bulletin (index into the sorted bulletins).
    case text(Int)
}

/// Turns the validated content into pages. Bulletins are kept newest first (date, then series, issue and
/// path as tie-breaks), so every list and every page is the same from build to build.
struct SiteRenderer: Sendable {
    let config: SiteConfig
    let templates: TemplateLibrary
    /// Newest first.
    let bulletins: [LoadedBulletin]
    /// Years with bulletins, newest first.
    let years: [Int]
    /// For each bulletin, the indices of its older and newer neighbours in the same series.
    private let neighbours: [(older: Int?, newer: Int?)]

    init(config: SiteConfig, templates: TemplateLibrary, bulletins: [LoadedBulletin]) {
        self.config = config
        self.templates = templates
        let sorted = bulletins.sorted { a, b in
            let x = a.bulletin, y = b.bulletin
            if x.date != y.date { return x.date > y.date }
            if x.series != y.series { return x.series.utf8.lexicographicallyPrecedes(y.series.utf8) }
            if x.issue != y.issue { return x.issue > y.issue }
            return x.sourcePath.utf8.lexicographicallyPrecedes(y.sourcePath.utf8)
        }
        self.bulletins = sorted
        self.years = Array(Set(sorted.map { $0.bulletin.date.year })).sorted(by: >)
        var neighbours = [(older: Int?, newer: Int?)](repeating: (nil, nil), count: sorted.count)
        var lastSeen: [String: Int] = [:]
        for index in sorted.indices.reversed() {
            let series = sorted[index].bulletin.series
            if let older = lastSeen[series] {
                neighbours[index].older = older
                neighbours[older].newer = index
            }
            lastSeen[series] = index
        }
        self.neighbours = neighbours
    }

    /// Every page of the site, in a fixed order.
    var pages: [PageKind] {
        [.home, .archive] + years.map { .year($0) } + bulletins.indices.flatMap { [.bulletin($0), .text($0)] }
    }

    /// The output file of a page, relative to the output folder.
    func outputPath(_ page: PageKind) -> String {
        if case .text = page { return directory(page) + TextEditionFile.name }
        return directory(page) + "index.html"
    }

    /// Renders a page to its HTML, or a text edition to its text.
    func render(_ page: PageKind) -> String {
        if case .text(let index) = page {
            let loaded = bulletins[index]
            return TextEdition.render(loaded.bulletin, body: loaded.body.textBlocks, width: config.textWidth)
        }
        let directory = directory(page)
        var context: [String: Any] = [
            "site": siteContext,
            "root": SitePaths.root(from: directory),
            "path": directory,
        ]
        var pageContext: [String: Any] = [:]
        if let base = config.baseURL { pageContext["canonical"] = base + directory }
        let template: String
        switch page {
        case .home:
            template = "home"
            pageContext["title"] = config.title
            context["bulletins"] = bulletins.map(entry)
            context["years"] = yearEntries
            context["hasYears"] = !years.isEmpty
        case .archive:
            template = "archive"
            pageContext["title"] = "往期 · \(config.title)"
            context["years"] = yearEntries
        case .year(let year):
            template = "year"
            pageContext["title"] = "\(year)年 · \(config.title)"
            context["year"] = year
            context["bulletins"] = bulletins.filter { $0.bulletin.date.year == year }.map(entry)
        case .bulletin(let index), .text(let index):
            template = "bulletin"
            let loaded = bulletins[index]
            pageContext["title"] = "\(loaded.bulletin.title) · \(loaded.bulletin.issueLabel) · \(config.title)"
            pageContext["description"] = loaded.summary
            var bulletin = ViewModel.bulletin(
                loaded.bulletin, path: directory, summary: loaded.summary, bodyHTML: loaded.body.html,
                headings: loaded.body.headings.map { ($0.level, $0.text, $0.id) })
            bulletin["textPath"] = directory + TextEditionFile.name
            context["bulletin"] = bulletin
            if let older = neighbours[index].older { context["previous"] = entry(bulletins[older]) }
            if let newer = neighbours[index].newer { context["next"] = entry(bulletins[newer]) }
            context["hasNeighbours"] = neighbours[index].older != nil || neighbours[index].newer != nil
        }
        context["page"] = pageContext
        return templates.render(template, context: context)
    }

    private func directory(_ page: PageKind) -> String {
        switch page {
        case .home: ""
        case .archive: SitePaths.archive
        case .year(let year): SitePaths.year(year)
        case .bulletin(let index), .text(let index): SitePaths.bulletin(bulletins[index].bulletin)
        }
    }

    private var siteContext: [String: Any] {
        var site: [String: Any] = ["title": config.title, "language": config.language]
        if let base = config.baseURL { site["baseURL"] = base }
        return site
    }

    private func entry(_ loaded: LoadedBulletin) -> [String: Any] {
        ViewModel.entry(loaded.bulletin, path: SitePaths.bulletin(loaded.bulletin), summary: loaded.summary)
    }

    private var yearEntries: [[String: Any]] {
        years.map { year in
            ["year": year, "path": SitePaths.year(year), "count": bulletins.count { $0.bulletin.date.year == year }]
        }
    }
}

/// The plain-text edition beside each bulletin page.
enum TextEditionFile {
    static let name = "bulletin.txt"
}
