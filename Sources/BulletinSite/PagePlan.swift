import BulletinAggregates
import BulletinModel

/// One output file of the site as planned from the site model: which page it is, what it shows (by index into
/// the model) and where it goes. Rendering turns it into bytes; its fingerprint digests what it shows.
struct Page: Sendable {
    let kind: Kind
    /// The page's folder, site-relative and not yet percent-encoded (empty for files at the top).
    let directory: String
    /// The output file, relative to the output folder.
    let file: String

    /// The pages of a site, one type of value per kind.
    enum Kind: Sendable {
        case home(ListPage)
        case archive
        case year(Int, ListPage)
        /// The archive of the series at this index of the site's `seriesList`.
        case series(Int, ListPage)
        /// The feed of the series at this index of the site's `seriesList`.
        case seriesFeed(Int)
        case bulletin(BulletinPage)
        /// The plain-text edition of the bulletin at this index.
        case textEdition(Int)
        /// The print edition (PDF) of the bulletin at this index, printed from its page after the site is published.
        case printEdition(Int)
        /// A file published beside the page of a bulletin (an attachment, a linked file, an image variant): the
        /// bulletin's index and the file's among its `files`.
        case bulletinFile(bulletin: Int, file: Int)
        /// The index of the taxonomy at this index.
        case taxonomy(Int)
        case term(taxonomy: Int, term: Int, ListPage)
        case statsIndex
        /// The page of the stat key at this index.
        case stat(Int)
        /// Every value reported for the stat key at this index, as CSV.
        case statValues(Int)
        case exemplarIndex
        /// The page of the exemplar at this index.
        case exemplar(Int)
        case search
        case feed
        case sitemap
        case notFound
        case data(DataFile)
    }

    /// A page of a paginated list of bulletins: its place among the list's pages, where the list starts, and the
    /// bulletins on it (indices into the site's bulletins).
    struct ListPage: Sendable {
        let pagination: Pagination
        /// The folder of the list's first page.
        let base: String
        let items: [Int]
    }

    /// A bulletin's page and its neighbours in the same series.
    struct BulletinPage: Sendable {
        let index: Int
        let older: Int?
        let newer: Int?
    }

    /// The kind of page as `--timings` reports it.
    var timingLabel: String {
        switch kind {
        case .home: "home pages"
        case .archive: "archive page"
        case .year: "year pages"
        case .series: "series pages"
        case .seriesFeed: "series feeds"
        case .bulletin: "bulletin pages"
        case .textEdition: "text editions"
        case .bulletinFile: "attachments and images"
        case .printEdition: "print editions"
        case .taxonomy: "taxonomy pages"
        case .term: "term pages"
        case .statsIndex: "stats page"
        case .stat: "stat pages"
        case .statValues: "stat value files"
        case .exemplarIndex: "exemplar index"
        case .exemplar: "exemplar pages"
        case .search: "search page"
        case .feed: "feed"
        case .sitemap: "sitemap"
        case .notFound: "404 page"
        case .data: "data files"
        }
    }

    /// Whether this page shows the body of one of the bulletins at `indices`: only a bulletin's page and its
    /// text edition show a body.
    func showsBody(of indices: Set<Int>) -> Bool {
        switch kind {
        case .bulletin(let page): indices.contains(page.index)
        case .textEdition(let index), .bulletinFile(let index, _), .printEdition(let index): indices.contains(index)
        default: false
        }
    }

    /// The bulletins this page lists with the `bulletin-entry` partial (rendered once per bulletin and depth).
    var listedEntries: [Int] {
        switch kind {
        case .home(let list), .year(_, let list), .term(_, _, let list), .series(_, let list): list.items
        default: []
        }
    }

    /// Whether this is a plain-text edition.
    var isText: Bool {
        switch kind {
        case .textEdition: true
        default: false
        }
    }

    /// Whether this is a print edition, made after the site is published.
    var isPrintEdition: Bool {
        switch kind {
        case .printEdition: true
        default: false
        }
    }

    /// Whether this is a file published beside a bulletin's page.
    var isBulletinFile: Bool {
        switch kind {
        case .bulletinFile: true
        default: false
        }
    }

    /// Whether this is a feed, a sitemap or a data file.
    var isDataFile: Bool {
        switch kind {
        case .feed, .seriesFeed, .sitemap, .data, .statValues: true
        default: false
        }
    }
}

/// The plan stage: every file of the site, in a fixed order, from the site model.
enum PagePlan {
    /// How many bulletins a feed lists.
    static let feedLength = 20
    /// The name of a bulletin's plain-text edition beside its page.
    static let textEditionName = "bulletin.txt"
    /// The name of a bulletin's print edition beside its page.
    static let printEditionName = "bulletin.pdf"

    static func pages(_ model: SiteModel) -> [Page] {
        let size = model.config.pageSize
        var pages = lists(Array(model.bulletins.indices), size: size, base: "") { .home($0) }
        pages.append(page(.archive, in: SitePaths.archive))
        for year in model.years {
            pages += lists(model.bulletinsByYear[year] ?? [], size: size, base: SitePaths.year(year)) { .year(year, $0) }
        }
        for (number, series) in model.config.seriesList.enumerated() where model.config.seriesList.count > 1 {
            let folder = SitePaths.series(series)
            pages += lists(model.bulletinsBySeries[number], size: size, base: folder) { .series(number, $0) }
            if model.config.baseURL != nil { pages.append(Page(kind: .seriesFeed(number), directory: folder, file: folder + "feed.xml")) }
        }
        for index in model.bulletins.indices {
            let folder = model.folders[index]
            let neighbours = model.neighbours[index]
            pages.append(page(.bulletin(Page.BulletinPage(index: index, older: neighbours.older, newer: neighbours.newer)), in: folder))
            pages.append(Page(kind: .textEdition(index), directory: folder, file: folder + textEditionName))
            if model.config.pdf { pages.append(Page(kind: .printEdition(index), directory: folder, file: folder + printEditionName)) }
            for (number, file) in model.bulletins[index].facts.files.enumerated() {
                pages.append(Page(kind: .bulletinFile(bulletin: index, file: number), directory: folder, file: folder + file.path))
            }
        }
        for (index, taxonomy) in model.taxonomies.enumerated() {
            pages.append(page(.taxonomy(index), in: SitePaths.taxonomy(taxonomy.field)))
            for (termIndex, term) in taxonomy.terms.enumerated() {
                pages += lists(term.bulletins, size: size, base: SitePaths.term(taxonomy.field, slug: term.slug)) {
                    .term(taxonomy: index, term: termIndex, $0)
                }
            }
        }
        pages.append(page(.statsIndex, in: SitePaths.stats))
        for (index, series) in model.stats.enumerated() {
            pages.append(page(.stat(index), in: SitePaths.stat(series.key)))
            pages.append(Page(kind: .statValues(index), directory: SitePaths.stat(series.key),
                              file: SitePaths.stat(series.key) + StatPages.valuesFileName))
        }
        pages.append(page(.exemplarIndex, in: SitePaths.exemplars))
        pages += model.exemplars.indices.map { index in
            page(.exemplar(index), in: SitePaths.exemplar(kind: model.exemplars[index].kind, slug: model.exemplars[index].slug))
        }
        pages.append(page(.search, in: SitePaths.search))
        if model.config.baseURL != nil {
            pages.append(Page(kind: .feed, directory: "", file: "feed.xml"))
            pages.append(Page(kind: .sitemap, directory: "", file: "sitemap.xml"))
        }
        pages.append(Page(kind: .notFound, directory: "", file: "404.html"))
        pages += DataFile.allCases.map { Page(kind: .data($0), directory: "", file: $0.path) }
        return pages
    }

    /// The pages with the slowest first (data files, stat pages, the exemplar index and the sitemap, then the
    /// rest in site order), so that the last pages to finish are short ones and no worker waits long at the end.
    static func renderingOrder(_ pages: [Page]) -> [Page] {
        func isSlow(_ page: Page) -> Bool {
            switch page.kind {
            case .data, .stat, .statValues, .exemplarIndex, .sitemap: true
            default: false
            }
        }
        return pages.filter(isSlow) + pages.filter { !isSlow($0) }
    }

    private static func page(_ kind: Page.Kind, in directory: String) -> Page {
        Page(kind: kind, directory: directory, file: directory + "index.html")
    }

    /// The pages of a list of `items`, `size` a page, whose first page is in `base`.
    private static func lists(_ items: [Int], size: Int, base: String, _ kind: (Page.ListPage) -> Page.Kind) -> [Page] {
        Pagination.pages(total: items.count, size: size).map { pagination in
            page(kind(Page.ListPage(pagination: pagination, base: base, items: Array(items[pagination.range]))),
                 in: SitePaths.paginated(base, page: pagination.number))
        }
    }
}
