import BulletinAggregates
import BulletinCharts
import BulletinModel
import BulletinTemplates
import BulletinText
import Foundation

/// One output file of the site.
enum PageKind: Sendable, Hashable {
    case home(page: Int)
    case archive
    case year(Int, page: Int)
    /// Index into the sorted bulletins.
    case bulletin(Int)
    /// The plain-text edition of a bulletin.
    case text(Int)
    /// The index of a taxonomy's terms.
    case taxonomy(Int)
    /// One term of a taxonomy.
    case term(Int, Int, page: Int)
    case statsIndex
    case stat(Int)
    /// A page of the list of every value reported for a stat key.
    case statReports(Int, page: Int)
    case exemplarIndex
    case exemplar(Int)
    case search
    case feed
    case sitemap
    case notFound
    case data(DataFile)

    /// The kind of page as `--timings` reports it.
    var timingLabel: String {
        switch self {
        case .home: "home pages"
        case .archive: "archive page"
        case .year: "year pages"
        case .bulletin: "bulletin pages"
        case .text: "text editions"
        case .taxonomy: "taxonomy pages"
        case .term: "term pages"
        case .statsIndex: "stats page"
        case .stat: "stat pages"
        case .statReports: "stat report lists"
        case .exemplarIndex: "exemplar index"
        case .exemplar: "exemplar pages"
        case .search: "search page"
        case .feed: "feed"
        case .sitemap: "sitemap"
        case .notFound: "404 page"
        case .data: "data files"
        }
    }

    /// Whether the page shows the body of one of the bulletins at `indices`: only a bulletin's page and its text
    /// edition show its body.
    func shows(bodiesOf indices: Set<Int>) -> Bool {
        switch self {
        case .bulletin(let index), .text(let index): indices.contains(index)
        default: false
        }
    }
}

/// Turns the site model into pages; each page is rendered on its own, so pages can be rendered in parallel
/// and written as they are done.
struct SiteRenderer: Sendable {
    let model: SiteModel
    let templates: TemplateLibrary

    var config: SiteConfig { model.config }
    var bulletins: [LoadedBulletin] { model.bulletins }

    /// How many bulletins a feed lists.
    static let feedLength = 20

    /// Every file of the site, in a fixed order.
    var pages: [PageKind] {
        let pageSize = config.pageSize
        var pages: [PageKind] = Pagination.pages(total: bulletins.count, size: pageSize).map { .home(page: $0.number) }
        pages.append(.archive)
        for year in model.years {
            let count = model.bulletinsByYear[year]?.count ?? 0
            pages += Pagination.pages(total: count, size: pageSize).map { .year(year, page: $0.number) }
        }
        pages += bulletins.indices.flatMap { [PageKind.bulletin($0), .text($0)] }
        for (index, taxonomy) in model.taxonomies.enumerated() {
            pages.append(.taxonomy(index))
            for (termIndex, term) in taxonomy.terms.enumerated() {
                pages += Pagination.pages(total: term.bulletins.count, size: pageSize).map { .term(index, termIndex, page: $0.number) }
            }
        }
        pages.append(.statsIndex)
        for (index, series) in model.stats.enumerated() {
            pages.append(.stat(index))
            let reports = StatPages.reportCount(series)
            if reports > StatPages.recentCount {
                pages += Pagination.pages(total: reports, size: StatPages.reportsPerPage).map { .statReports(index, page: $0.number) }
            }
        }
        pages.append(.exemplarIndex)
        pages += model.exemplars.indices.map { .exemplar($0) }
        pages.append(.search)
        if config.baseURL != nil { pages += [.feed, .sitemap] }
        pages.append(.notFound)
        pages += DataFile.allCases.map { .data($0) }
        return pages
    }

    /// The pages with the slowest first (data files, stat pages, then the rest in site order), so that the
    /// last pages to finish are short ones and no worker waits long for another at the end.
    func renderingOrder(_ pages: [PageKind]) -> [PageKind] {
        func isSlow(_ page: PageKind) -> Bool {
            switch page {
            case .data, .stat, .exemplarIndex, .sitemap: true
            default: false
            }
        }
        return pages.filter(isSlow) + pages.filter { !isSlow($0) }
    }

    /// The output file of a page, relative to the output folder.
    func outputPath(_ page: PageKind) -> String {
        switch page {
        case .text: directory(page) + TextEditionFile.name
        case .feed: "feed.xml"
        case .sitemap: "sitemap.xml"
        case .notFound: "404.html"
        case .data(let file): file.path
        default: directory(page) + "index.html"
        }
    }

    /// The folder of an HTML page, site-relative and not yet percent-encoded.
    func directory(_ page: PageKind) -> String {
        switch page {
        case .home(let number): SitePaths.paginated("", page: number)
        case .archive: SitePaths.archive
        case .year(let year, let number): SitePaths.paginated(SitePaths.year(year), page: number)
        case .bulletin(let index), .text(let index): SitePaths.bulletin(year: bulletins[index].date.year, page: bulletins[index].pageNumber)
        case .taxonomy(let index): SitePaths.taxonomy(model.taxonomies[index].field)
        case .term(let index, let term, let number):
            SitePaths.paginated(SitePaths.term(model.taxonomies[index].field, slug: model.taxonomies[index].terms[term].slug), page: number)
        case .statsIndex: SitePaths.stats
        case .stat(let index): SitePaths.stat(model.stats[index].key)
        case .statReports(let index, let number): SitePaths.paginated(SitePaths.statReports(model.stats[index].key), page: number)
        case .exemplarIndex: SitePaths.exemplars
        case .exemplar(let index): SitePaths.exemplar(kind: model.exemplars[index].kind, slug: model.exemplars[index].slug)
        case .search: SitePaths.search
        case .feed, .sitemap, .notFound, .data: ""
        }
    }

    /// Renders a page: HTML, the text edition, a feed, a sitemap or a data file. Fails only when the body of a
    /// bulletin from the build cache can no longer be read.
    func render(_ page: PageKind) throws(Diagnostic) -> String {
        switch page {
        case .text(let index):
            let loaded = bulletins[index]
            return TextEdition.render(loaded.bulletin, body: try loaded.body().textBlocks, width: config.textWidth)
        case .data(let file):
            return String(decoding: DataExport.render(file, model: model), as: UTF8.self)
        default:
            let (template, context) = try templateContext(page)
            return templates.render(template, context: context)
        }
    }

    /// Renders a page into its file below the publisher's staging folder: data files as the bytes they are made
    /// as (not copied into a string first).
    @discardableResult
    func write(_ page: PageKind, to path: String, with publisher: OutputPublisher) throws -> FileStamp {
        if case .data(let file) = page { return try publisher.write(DataExport.render(file, model: model), to: path) }
        return try publisher.write(render(page).utf8, to: path)
    }

    /// The template and context of a page rendered from a template. With `entryDigests` (the digest of each
    /// bulletin's list entry), the context is made for a digest of the page's inputs: list entries are their
    /// digests and charts, drawn from the values beside them, are left out. (Bulletin pages, whose context holds
    /// the rendered body, have a digest of their own: `PageFingerprints.page`.)
    func templateContext(_ page: PageKind, entryDigests: [UInt64]? = nil) throws(Diagnostic) -> (template: String, context: [String: Any]) {
        let forDigest = entryDigests != nil
        let directory = directory(page)
        let href = SitePaths.href(directory)
        let entry: (Int) -> [String: Any]
        if let entryDigests {
            entry = { ["entry": entryDigests[$0]] }
        } else {
            entry = { self.entry($0) }
        }
        var context: [String: Any] = [
            "site": siteContext,
            "root": page == .notFound ? basePath : SitePaths.root(from: directory),
            "path": href,
        ]
        var pageContext: [String: Any] = [:]
        if let base = config.baseURL { pageContext["canonical"] = base + href }
        let template: String
        switch page {
        case .home(let number):
            template = "home"
            pageContext["title"] = config.title + pageSuffix(number)
            addList(bulletins.indices, page: number, base: "", entry: entry, to: &context)
            context["years"] = yearEntries
            context["hasYears"] = !model.years.isEmpty
        case .archive:
            template = "archive"
            pageContext["title"] = "往期 · \(config.title)"
            context["years"] = yearEntries
            context["hasYears"] = !model.years.isEmpty
        case .year(let year, let number):
            template = "year"
            pageContext["title"] = "\(year)年\(pageSuffix(number)) · \(config.title)"
            context["year"] = year
            addList(model.bulletinsByYear[year] ?? [], page: number, base: SitePaths.year(year), entry: entry, to: &context)
        case .bulletin(let index):
            template = "bulletin"
            let loaded = bulletins[index]
            pageContext["title"] = "\(loaded.bulletin.title) · \(loaded.bulletin.issueLabel) · \(config.title)"
            pageContext["description"] = loaded.summary
            let body = try loaded.body()
            var bulletin = ViewModel.bulletin(
                loaded.bulletin, path: href, summary: loaded.summary, bodyHTML: body.html,
                headings: body.headings.map { ($0.level, $0.text, $0.id) }, links: links)
            bulletin["textPath"] = href + TextEditionFile.name
            context["bulletin"] = bulletin
            if let older = model.neighbours[index].older { context["previous"] = self.entry(older) }
            if let newer = model.neighbours[index].newer { context["next"] = self.entry(newer) }
            context["hasNeighbours"] = model.neighbours[index].older != nil || model.neighbours[index].newer != nil
        case .taxonomy(let index):
            template = "taxonomy"
            let taxonomy = model.taxonomies[index]
            pageContext["title"] = "\(taxonomy.label) · \(config.title)"
            context["taxonomy"] = [
                "label": taxonomy.label, "field": taxonomy.field,
                "terms": taxonomy.terms.map { term in
                    ["name": term.name, "path": SitePaths.href(SitePaths.term(taxonomy.field, slug: term.slug)),
                     "count": term.bulletins.count] as [String: Any]
                },
            ] as [String: Any]
        case .term(let index, let termIndex, let number):
            template = "term"
            let taxonomy = model.taxonomies[index]
            let term = taxonomy.terms[termIndex]
            pageContext["title"] = "\(taxonomy.label)：\(term.name)\(pageSuffix(number)) · \(config.title)"
            context["taxonomy"] = ["label": taxonomy.label, "path": SitePaths.href(SitePaths.taxonomy(taxonomy.field))]
            context["term"] = ["name": term.name]
            addList(term.bulletins, page: number, base: SitePaths.term(taxonomy.field, slug: term.slug), entry: entry, to: &context)
        case .statsIndex:
            template = "stats"
            pageContext["title"] = "数据 · \(config.title)"
            context["stats"] = model.stats.map(StatPages.summary)
            context["hasStats"] = !model.stats.isEmpty
        case .stat(let index):
            template = "stat"
            let series = model.stats[index]
            pageContext["title"] = "\(series.label) · 数据 · \(config.title)"
            context["stat"] = StatPages.detail(series, entry: entry, charts: !forDigest)
        case .statReports(let index, let number):
            template = "stat-reports"
            let series = model.stats[index]
            pageContext["title"] = "\(series.label)：全部报告\(pageSuffix(number)) · 数据 · \(config.title)"
            let pages = Pagination.pages(total: StatPages.reportCount(series), size: StatPages.reportsPerPage)
            let page = pages[number - 1]
            context["stat"] = StatPages.reports(series, range: page.range, entry: entry)
            if page.count > 1 {
                let encodedBase = SitePaths.href(SitePaths.statReports(series.key))
                context["pagination"] = PaginationContext.make(page, path: { SitePaths.paginated(encodedBase, page: $0) })
            }
        case .exemplarIndex:
            template = "exemplars"
            pageContext["title"] = "先进典型 · \(config.title)"
            context["kinds"] = ExemplarPages.index(model.exemplars)
            context["hasExemplars"] = !model.exemplars.isEmpty
        case .exemplar(let index):
            template = "exemplar"
            let exemplar = model.exemplars[index]
            pageContext["title"] = "\(exemplar.name) · 先进典型 · \(config.title)"
            context["exemplar"] = ExemplarPages.detail(exemplar, entry: entry)
        case .search:
            template = "search"
            pageContext["title"] = "搜索 · \(config.title)"
        case .feed:
            template = "feed"
            context["feed"] = FeedContext.feed(model, entry: entry)
        case .sitemap:
            template = "sitemap"
            context["urls"] = pages.compactMap(sitemapEntry)
        case .notFound:
            template = "404"
            pageContext["title"] = "页面未找到 · \(config.title)"
            pageContext["canonical"] = nil
        case .text, .data:
            preconditionFailure("\(page) is not rendered from a template")
        }
        context["page"] = pageContext
        return (template, context)
    }

    // MARK: - Pieces shared by pages

    /// The path of the site's root on its server (from `base_url`), for pages served at any address (404).
    private var basePath: String {
        guard let base = config.baseURL, let url = URL(string: base) else { return "/" }
        let path = url.path
        return path.hasSuffix("/") ? path : path + "/"
    }

    var siteContext: [String: Any] {
        var site: [String: Any] = ["title": config.title, "language": config.language]
        if let base = config.baseURL { site["baseURL"] = base }
        site["taxonomies"] = model.taxonomies.filter { !$0.terms.isEmpty }.map {
            ["label": $0.label, "path": SitePaths.href(SitePaths.taxonomy($0.field))]
        }
        return site
    }

    private var links: ViewModel.Links {
        ViewModel.Links(
            // Fields and kinds are ASCII: only the folder name needs encoding, and the model has it encoded.
            term: { [model] field, name in SitePaths.term(field, slug: model.encodedFolderName(name)) },
            exemplar: { [model] in SitePaths.exemplar(kind: $0.kind, slug: model.encodedFolderName($0.name)) },
            stat: { SitePaths.href(SitePaths.stat($0)) })
    }

    private func pageSuffix(_ number: Int) -> String { number == 1 ? "" : "（第\(number)页）" }

    /// A bulletin as a list entry.
    func entry(_ index: Int) -> [String: Any] {
        let loaded = bulletins[index]
        return ViewModel.entry(loaded.bulletin, path: model.hrefs[index], summary: loaded.summary)
    }

    /// Puts page `number` of a bulletin list and its pagination into a context.
    private func addList<Indices: RandomAccessCollection<Int>>(_ indices: Indices, page number: Int, base: String,
                                                             entry: (Int) -> [String: Any], to context: inout [String: Any])
        where Indices.Index == Int {
        let pages = Pagination.pages(total: indices.count, size: config.pageSize)
        let page = pages[number - 1]
        context["bulletins"] = indices[page.range].map(entry)
        guard page.count > 1 else { return }
        // What paginating adds is ASCII: the base is encoded once, not once for each page it links to.
        let encodedBase = SitePaths.href(base)
        context["pagination"] = PaginationContext.make(page, path: { SitePaths.paginated(encodedBase, page: $0) })
    }

    private var yearEntries: [[String: Any]] {
        model.years.map { year in
            ["year": year, "path": SitePaths.year(year), "count": model.bulletinsByYear[year]?.count ?? 0]
        }
    }

    private func sitemapEntry(_ page: PageKind) -> [String: Any]? {
        guard let base = config.baseURL else { return nil }
        switch page {
        case .text, .search, .feed, .sitemap, .notFound, .data: return nil
        case .bulletin(let index):
            return ["loc": base + SitePaths.href(directory(page)), "lastmod": bulletins[index].date.iso]
        default:
            return ["loc": base + SitePaths.href(directory(page))]
        }
    }
}

/// The plain-text edition beside each bulletin page.
enum TextEditionFile {
    static let name = "bulletin.txt"
}

/// Page links for a paginated list: previous, next, and a window of page numbers around the current one.
enum PaginationContext {
    static func make(_ page: Pagination, path: (Int) -> String) -> [String: Any] {
        var context: [String: Any] = ["number": page.number, "count": page.count]
        if page.number > 1 { context["previousPath"] = path(page.number - 1) }
        if page.number < page.count { context["nextPath"] = path(page.number + 1) }
        let shown = Set([1, page.count] + Array(max(1, page.number - 2)...min(page.count, page.number + 2)))
        var entries: [[String: Any]] = []
        var last = 0
        for number in shown.sorted() {
            if number > last + 1 { entries.append(["isGap": true]) }
            entries.append(["number": number, "path": path(number), "isCurrent": number == page.number])
            last = number
        }
        context["pages"] = entries
        return context
    }
}
