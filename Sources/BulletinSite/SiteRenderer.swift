import BulletinAggregates
import BulletinCharts
import BulletinModel
import BulletinSupport
import BulletinTemplates
import BulletinText
import Foundation

/// Template contexts made once and read by many pages at once. A context is a dictionary of value types
/// (strings, numbers, flags, and arrays and dictionaries of them), never changed after it is made, so sharing
/// it between threads is safe although `Any` does not say so.
struct SharedContexts: @unchecked Sendable {
    /// The site's part of every page's context.
    let site: [String: Any]
    /// The bulletins the pages to render show as entries (`ViewModel.entry`), by index.
    var entries: [Int: [String: Any]] = [:]
    /// Each bulletin's list entry rendered by the `bulletin-entry` partial, by the `root` of the pages listing it
    /// and then by bulletin.
    var listItems: [String: [Int: String]] = [:]
    /// Every year with its link and count, which the home and archive pages list.
    let years: [[String: Any]]
    /// The `year-links` partial rendered once for each depth of home page, by `root`: every home page repeats it.
    var yearLinks: [String: String] = [:]
}

/// The render stage: turns planned pages into the bytes of their files. What many pages repeat is made once
/// (Hugo's `partialCached`): the site's context, each bulletin's entry context, each bulletin's list entry
/// rendered by `partials/bulletin-entry` once for each depth of page that lists it, and the home pages' list of
/// years rendered by `partials/year-links` once for each depth (`preparing`).
struct SiteRenderer: Sendable {
    let model: SiteModel
    let templates: TemplateLibrary
    /// Where the files published beside bulletins' pages are read from; nil for a renderer of pages alone.
    let files: SiteFiles?
    private(set) var shared: SharedContexts

    init(model: SiteModel, templates: TemplateLibrary, files: SiteFiles? = nil) {
        self.model = model
        self.templates = templates
        self.files = files
        var site: [String: Any] = ["title": model.config.title, "language": model.config.language]
        if let base = model.config.baseURL { site["baseURL"] = base }
        site["taxonomies"] = model.taxonomies.filter { !$0.terms.isEmpty }.map {
            ["label": $0.label, "path": SitePaths.href(SitePaths.taxonomy($0.field))]
        }
        let years = model.years.map { year -> [String: Any] in
            ["year": year, "path": SitePaths.year(year), "count": model.bulletinsByYear[year]?.count ?? 0]
        }
        shared = SharedContexts(site: site, years: years)
    }

    var config: SiteConfig { model.config }
    var bulletins: [LoadedBulletin] { model.bulletins }

    /// This renderer ready for `pages`: the entry context of every bulletin they show made once, each bulletin's
    /// list entry rendered once for each depth of page that lists it, on `jobs` workers, and the home pages'
    /// year links once for each depth.
    func preparing(_ pages: [Page], jobs: Int) -> SiteRenderer {
        var shown: Set<Int> = [], wanted: [String: Set<Int>] = [:], homeRoots: Set<String> = []
        for page in pages {
            shown.formUnion(entriesShown(on: page))
            if !page.listedEntries.isEmpty { wanted[SitePaths.root(from: page.directory), default: []].formUnion(page.listedEntries) }
            if case .home = page.kind { homeRoots.insert(SitePaths.root(from: page.directory)) }
        }
        var copy = self
        for index in shown { copy.shared.entries[index] = newEntry(index) }
        for root in homeRoots { copy.shared.yearLinks[root] = yearLinks(root: root) }
        let pairs = wanted.keys.sorted().flatMap { root in wanted[root]!.sorted().map { (root: root, index: $0) } }
        let shared = copy.shared
        let rendered = concurrentMap(pairs.count, jobs: jobs) { number in
            let (root, index) = pairs[number]
            var item = shared.entries[index]!
            item["root"] = root
            var html = templates.render("partials/bulletin-entry", context: item)
            // The list's template puts each entry on a line of its own.
            if html.hasSuffix("\n") { html.removeLast() }
            return html
        }
        for (pair, html) in zip(pairs, rendered) { copy.shared.listItems[pair.root, default: [:]][pair.index] = html }
        return copy
    }

    /// Renders a page into its file below the publisher's staging folder: data files as the bytes they are made
    /// as (not copied into a string first).
    @discardableResult
    func write(_ page: Page, with publisher: OutputPublisher) throws -> FileStamp {
        if let pieces = dataFilePieces(page) { return try publisher.write(pieces: pieces, to: page.file) }
        if case .bulletinFile(let index, let number) = page.kind { return try publisher.write(try bulletinFileBytes(index, number), to: page.file) }
        return try publisher.write(render(page).utf8, to: page.file)
    }

    /// The bytes of a data file (the site's data and a stat key's values), made piece by piece as they are
    /// written; nil for other pages.
    private func dataFilePieces(_ page: Page) -> DataExport.Pieces? {
        switch page.kind {
        case .data(let file): DataExport.render(file, model: model)
        case .statValues(let index): DataExport.onePiece { [model] in DataExport.statValues(model.stats[index], model: model) }
        default: nil
        }
    }

    /// The bytes of a file published beside a bulletin's page: its source's, or an image variant's.
    private func bulletinFileBytes(_ index: Int, _ number: Int) throws -> [UInt8] {
        let file = bulletins[index].facts.files[number]
        guard let files else { throw PublishError("\(file.path) of \(bulletins[index].sourcePath) has no site to be read from") }
        let source = files.siteDirectory + "/" + file.source
        if file.kind == .image { return try files.images.bytes(ofVariant: file.path, source: source) }
        guard let data = FileManager.default.contents(atPath: source) else {
            throw Diagnostic.error("cannot read '\(file.source)', which the bulletin publishes", at: SourceLocation(file: file.source, line: 1, column: 1))
        }
        return Array(data)
    }

    /// Renders a page: HTML, the text edition, a feed, a sitemap or a data file. Fails only when the body of a
    /// bulletin from the build cache can no longer be read.
    func render(_ page: Page) throws(Diagnostic) -> String {
        if let pieces = dataFilePieces(page) { return String(decoding: Array(pieces.joined()), as: UTF8.self) }
        switch page.kind {
        case .textEdition(let index):
            let loaded = bulletins[index]
            let attachments = loaded.facts.files.filter { $0.kind == .attachment }.map { "\($0.title ?? "")（\($0.note)）" }
            return TextEdition.render(loaded.bulletin, body: try loaded.body().textBlocks, attachments: attachments, width: config.textWidth)
        default:
            let (template, context) = try templateContext(page)
            return templates.render(template, context: context)
        }
    }

    /// The template and context of a page rendered from a template: where every page's view model becomes the
    /// dictionary its template reads.
    func templateContext(_ page: Page) throws(Diagnostic) -> (template: String, context: [String: Any]) {
        let href = SitePaths.href(page.directory)
        let root = if case .notFound = page.kind { basePath } else { SitePaths.root(from: page.directory) }
        var context: [String: Any] = ["site": shared.site, "root": root, "path": href]
        var pageContext: [String: Any] = [:]
        if let base = config.baseURL { pageContext["canonical"] = base + href }
        let template: String
        switch page.kind {
        case .home(let list):
            template = "home"
            pageContext["title"] = config.title + pageSuffix(list.pagination.number)
            addBulletinList(list, root: root, to: &context)
            context["years"] = shared.years
            context["hasYears"] = !model.years.isEmpty
            let yearList = shared.yearLinks[root] ?? yearLinks(root: root)
            if !yearList.isEmpty { context["yearLinks"] = yearList }
            if list.pagination.number == 1 && config.seriesList.count > 1 {
                context["series"] = config.seriesList.indices.map { number -> [String: Any] in
                    var series: [String: Any] = ["name": config.seriesList[number].name, "path": SitePaths.href(SitePaths.series(config.seriesList[number]))]
                    if let latest = model.bulletinsBySeries[number].first { series["latest"] = entry(latest) }
                    return series
                }
                context["hasSeries"] = true
            }
        case .series(let number, let list):
            template = "series"
            let series = config.seriesList[number]
            pageContext["title"] = "\(series.name)\(pageSuffix(list.pagination.number)) · \(config.title)"
            context["series"] = ["name": series.name, "feedPath": config.baseURL == nil ? nil : SitePaths.href(SitePaths.series(series)) + "feed.xml"]
            addBulletinList(list, root: root, to: &context)
        case .archive:
            template = "archive"
            pageContext["title"] = "往期 · \(config.title)"
            context["years"] = shared.years
            context["hasYears"] = !model.years.isEmpty
        case .year(let year, let list):
            template = "year"
            pageContext["title"] = "\(year)年\(pageSuffix(list.pagination.number)) · \(config.title)"
            context["year"] = year
            addBulletinList(list, root: root, to: &context)
        case .bulletin(let bulletinPage):
            template = "bulletin"
            let loaded = bulletins[bulletinPage.index]
            pageContext["title"] = "\(loaded.bulletin.title) · \(loaded.bulletin.issueLabel) · \(config.title)"
            pageContext["description"] = loaded.summary
            let body = try loaded.body()
            var bulletin = ViewModel.bulletin(
                loaded.bulletin, path: href, summary: loaded.summary, bodyHTML: body.html,
                headings: body.headings.map { ($0.level, $0.text, $0.id) }, links: links)
            bulletin["textPath"] = href + PagePlan.textEditionName
            if config.pdf { bulletin["pdfPath"] = href + PagePlan.printEditionName }
            let attachments = loaded.facts.files.filter { $0.kind == .attachment }
            bulletin["attachments"] = attachments.map { ["title": $0.title ?? "", "href": SitePaths.href($0.path), "note": $0.note] }
            bulletin["hasAttachments"] = !attachments.isEmpty
            bulletin["hasTables"] = !loaded.facts.tables.isEmpty
            context["bulletin"] = bulletin
            if let older = bulletinPage.older { context["previous"] = entry(older) }
            if let newer = bulletinPage.newer { context["next"] = entry(newer) }
            context["hasNeighbours"] = bulletinPage.older != nil || bulletinPage.newer != nil
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
        case .term(let index, let termIndex, let list):
            template = "term"
            let taxonomy = model.taxonomies[index]
            let term = taxonomy.terms[termIndex]
            pageContext["title"] = "\(taxonomy.label)：\(term.name)\(pageSuffix(list.pagination.number)) · \(config.title)"
            context["taxonomy"] = ["label": taxonomy.label, "path": SitePaths.href(SitePaths.taxonomy(taxonomy.field))]
            context["term"] = ["name": term.name]
            addBulletinList(list, root: root, to: &context)
        case .statsIndex:
            template = "stats"
            pageContext["title"] = "数据 · \(config.title)"
            context["stats"] = model.stats.map(StatPages.summary)
            context["hasStats"] = !model.stats.isEmpty
        case .stat(let index):
            template = "stat"
            let series = model.stats[index]
            pageContext["title"] = "\(series.label) · 数据 · \(config.title)"
            context["stat"] = StatPages.detail(series, entry: entry)
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
            context["feed"] = FeedContext.feed(model, items: Array(bulletins.indices), title: config.title, path: "", entry: entry)
        case .seriesFeed(let number):
            template = "feed"
            let series = config.seriesList[number]
            context["feed"] = FeedContext.feed(model, items: model.bulletinsBySeries[number], title: "\(series.name) · \(config.title)",
                                               path: SitePaths.href(SitePaths.series(series)), entry: entry)
        case .sitemap:
            template = "sitemap"
            context["urls"] = PagePlan.pages(model).compactMap(sitemapEntry)
        case .notFound:
            template = "404"
            pageContext["title"] = "页面未找到 · \(config.title)"
            pageContext["canonical"] = nil
        case .textEdition, .data, .statValues, .bulletinFile, .printEdition:
            preconditionFailure("\(page.file) is not rendered from a template")
        }
        context["page"] = pageContext
        return (template, context)
    }

    // MARK: - Pieces shared by pages

    /// A bulletin as a list entry.
    private func entry(_ index: Int) -> [String: Any] { shared.entries[index] ?? newEntry(index) }

    private func newEntry(_ index: Int) -> [String: Any] {
        ViewModel.entry(bulletins[index].bulletin, path: model.hrefs[index], summary: bulletins[index].summary)
    }

    /// The bulletins a page shows as entries (a superset: a stat page shows those of its latest values).
    private func entriesShown(on page: Page) -> [Int] {
        switch page.kind {
        case .home(let list): list.items + (config.seriesList.count > 1 ? model.bulletinsBySeries.compactMap(\.first) : [])
        case .year(_, let list), .term(_, _, let list), .series(_, let list): list.items
        case .bulletin(let bulletinPage): [bulletinPage.older, bulletinPage.newer].compactMap { $0 }
        case .stat(let index): model.stats[index].bulletins
        case .exemplar(let index): model.exemplars[index].mentions.map(\.bulletin)
        case .feed: Array(bulletins.indices.prefix(PagePlan.feedLength))
        case .seriesFeed(let number): Array(model.bulletinsBySeries[number].prefix(PagePlan.feedLength))
        default: []
        }
    }

    /// The path of the site's root on its server (from `base_url`), for pages served at any address (404).
    private var basePath: String {
        guard let base = config.baseURL, let url = URL(string: base) else { return "/" }
        let path = url.path
        return path.hasSuffix("/") ? path : path + "/"
    }

    private var links: ViewModel.Links {
        ViewModel.Links(
            // Fields and kinds are ASCII: only the folder name needs encoding, and the model has it encoded.
            term: { [model] field, name in SitePaths.term(field, slug: model.encodedFolderName(name)) },
            exemplar: { [model] in SitePaths.exemplar(kind: $0.kind, slug: model.encodedFolderName($0.name)) },
            stat: { SitePaths.href(SitePaths.stat($0)) })
    }

    private func pageSuffix(_ number: Int) -> String { number == 1 ? "" : "（第\(number)页）" }

    /// Puts a page of a bulletin list (entries already rendered for pages at `root`) and its pagination into a
    /// context.
    private func addBulletinList(_ list: Page.ListPage, root: String, to context: inout [String: Any]) {
        let rendered = shared.listItems[root] ?? [:]
        context["bulletins"] = list.items.map { index in
            var item = entry(index)
            item["html"] = rendered[index]
            return item
        }
        addPagination(list, to: &context)
    }

    private func addPagination(_ list: Page.ListPage, to context: inout [String: Any]) {
        guard list.pagination.count > 1 else { return }
        // What paginating adds is ASCII: the base is encoded once, not once for each page it links to.
        let encodedBase = SitePaths.href(list.base)
        context["pagination"] = PaginationContext.make(list.pagination, path: { SitePaths.paginated(encodedBase, page: $0) })
    }

    /// The `year-links` partial for pages at `root` (without its last line break: the home template puts it on
    /// a line of its own); empty when the site has no bulletins.
    private func yearLinks(root: String) -> String {
        guard !shared.years.isEmpty else { return "" }
        var html = templates.render("partials/year-links", context: ["site": shared.site, "root": root, "years": shared.years])
        if html.hasSuffix("\n") { html.removeLast() }
        return html
    }

    private func sitemapEntry(_ page: Page) -> [String: Any]? {
        guard let base = config.baseURL else { return nil }
        switch page.kind {
        case .textEdition, .search, .feed, .seriesFeed, .sitemap, .notFound, .data, .statValues, .bulletinFile, .printEdition: return nil
        case .bulletin(let bulletinPage):
            return ["loc": base + SitePaths.href(page.directory), "lastmod": bulletins[bulletinPage.index].date.iso]
        default:
            return ["loc": base + SitePaths.href(page.directory)]
        }
    }
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
