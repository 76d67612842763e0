import BulletinModel
import BulletinPrint
import BulletinSupport
import Foundation

/// The print stage: each bulletin's page printed to `bulletin.pdf` by headless Chromium after the site is
/// published (the page, its stylesheet, fonts and photos are then in place), laid out by the print stylesheet
/// after GB/T 9704, its document information set and its bytes made reproducible by qpdf.
enum PrintEdition {
    /// The width of the type area, 156 mm, in CSS pixels: the page is laid out this wide before printing.
    static let typeAreaWidth = 590

    /// Where the type area ends, in points from the top of an A4 page: 37 mm of margin and 225 mm of type.
    static let typeAreaFoot = (37.0 + 225.0) * 72 / 25.4

    /// Prepares a page for printing. Links to the site's own pages and files point at `base_url` (the PDF's
    /// links lead to the published site, and no folder of the build machine is written into the PDF); without a
    /// base URL they are no longer links. Returns 1 when the page has a 版记, else null. `siteRoot` is the URL of
    /// the folder the site is printed from.
    static func prepareScript(siteRoot: URL, baseURL: String?) -> String {
        func literal(_ text: String?) -> String {
            guard let text, let data = try? JSONSerialization.data(withJSONObject: [text]) else { return "null" }
            return String(decoding: data.dropFirst().dropLast(), as: UTF8.self)
        }
        let root = siteRoot.absoluteString.hasSuffix("/") ? siteRoot.absoluteString : siteRoot.absoluteString + "/"
        return """
            (() => {
              const root = \(literal(root)), base = \(literal(baseURL));
              for (const link of document.querySelectorAll('a[href]')) {
                const url = new URL(link.getAttribute('href'), location.href);
                if (url.protocol !== 'file:') continue;
                if (base && url.href.startsWith(root)) link.href = base + url.href.slice(root.length).replace(/index\\.html$/, '');
                else link.removeAttribute('href');
              }
              return document.querySelector('.banji') ? 1 : null;
            })()
            """
    }

    /// The 版记 moved to the foot of the last page: once the page is printed, poppler draws its last page and
    /// finds where the 版记's last rule ends, and the 版记's top margin grows by what is left of the type area
    /// below it. Nil when it is already there. (`prepareScript` gives a number only for a page with a 版记.)
    static func footnote(_ pdf: [UInt8], hasFootnote: Double) -> String? {
        guard let rule = PDFLayout.lowestRule(pdf, above: typeAreaFoot) else { return nil }
        let gap = (typeAreaFoot - rule) * 96 / 72 - 0.5
        guard gap > 0.5 else { return nil }
        return """
            (() => {
              const banji = document.querySelector('.banji');
              banji.style.marginTop = (parseFloat(getComputedStyle(banji).marginTop) + \(gap)) + 'px';
              return true;
            })()
            """
    }

    /// A digest of what else a PDF depends on: the browser and the fonts installed.
    static let printerIdentity: UInt64 = {
        var digest = StableDigest()
        if let browser = ChromiumPrinter.executable() {
            let real = URL(fileURLWithPath: browser).resolvingSymlinksInPath().path
            digest.add(real)
            if let stamp = FileStamp(path: real) { digest.add(stamp.modified) }
        }
        for folder in ["/usr/share/fonts", "/usr/local/share/fonts", NSHomeDirectory() + "/.fonts"] {
            guard let files = FileManager.default.enumerator(atPath: folder) else { continue }
            for case let file as String in files.allObjects.sorted(by: { ($0 as? String ?? "") < ($1 as? String ?? "") }) {
                guard let stamp = FileStamp(path: folder + "/" + file) else { continue }
                digest.add(file)
                digest.add(stamp.size)
                digest.add(stamp.modified)
            }
        }
        return digest.value
    }()

    /// The document information of a bulletin's PDF: its title, publishers, series and issue, and its date at
    /// midnight in the site's time zone.
    static func metadata(_ bulletin: Bulletin, config: SiteConfig) -> PDFMetadata {
        // The feed's RFC 3339 time of the same midnight, `2017-03-07T00:00:00+08:00`, as a PDF date.
        let time = FeedContext.timestamp(bulletin.date, zone: TimeZone(identifier: config.timeZone) ?? TimeZone(secondsFromGMT: 8 * 3600)!)
        let offset = time.suffix(6)
        let date = "D:" + time.prefix(19).filter(\.isNumber) + offset.prefix(3) + "'" + offset.suffix(2) + "'"
        return PDFMetadata(title: bulletin.title, author: bulletin.publishers.joined(separator: "、"),
                           subject: "\(bulletin.series) \(bulletin.issueLabel)", date: date)
    }

    /// Prints `pages` (print editions of `model`'s bulletins) from the site published in `destination`, `jobs`
    /// tabs of one browser at a time (printing is bound by the processors: more tabs, or a browser per job, were
    /// not faster), writing each PDF beside its page; the stamp of each file written, by page, and an error for
    /// each PDF that could not be made (the rest of the site stands).
    static func print(_ pages: [(page: Page, fingerprint: UInt64?)], model: SiteModel, destination: URL, jobs: Int,
                      progress: ProgressCounter) async -> (written: [(page: Page, fingerprint: UInt64?, stamp: FileStamp)], diagnostics: [Diagnostic]) {
        guard !pages.isEmpty else { return ([], []) }
        let printer: ChromiumPrinter
        do {
            printer = try ChromiumPrinter.start()
        } catch {
            return ([], [.error("\(pages.count) print \(pages.count == 1 ? "edition" : "editions") (bulletin.pdf) not made: \(error); "
                                 + "the rest of the site is built")])
        }
        var written: [(page: Page, fingerprint: UInt64?, stamp: FileStamp)] = [], diagnostics: [Diagnostic] = []
        await withTaskGroup(of: (Int, Result<FileStamp, Diagnostic>).self) { group in
            var next = 0
            func start() {
                guard next < pages.count else { return }
                let number = next
                next += 1
                group.addTask { (number, await printOne(pages[number].page, model: model, destination: destination, printer: printer)) }
            }
            for _ in 0..<max(1, jobs) { start() }
            var outcomes: [Int: Result<FileStamp, Diagnostic>] = [:]
            while let (number, outcome) = await group.next() {
                outcomes[number] = outcome
                progress.increment()
                start()
            }
            for number in outcomes.keys.sorted() {
                switch outcomes[number]! {
                case .success(let stamp): written.append((pages[number].page, pages[number].fingerprint, stamp))
                case .failure(let diagnostic): diagnostics.append(diagnostic)
                }
            }
        }
        await printer.close()
        return (written, diagnostics)
    }

    private static func printOne(_ page: Page, model: SiteModel, destination: URL, printer: ChromiumPrinter) async -> Result<FileStamp, Diagnostic> {
        guard case .printEdition(let index) = page.kind else { preconditionFailure("\(page.file) is not a print edition") }
        let bulletin = model.bulletins[index].bulletin
        let location = SourceLocation(file: bulletin.sourcePath, line: 1, column: 1)
        do {
            let html = destination.appending(path: page.directory + "index.html")
            let prepare = prepareScript(siteRoot: destination.standardizedFileURL, baseURL: model.config.baseURL)
            let printed = try await printer.print(html, width: typeAreaWidth, measure: prepare, revise: footnote)
            let pdf = try PDFRewriter.rewrite(printed, metadata: metadata(bulletin, config: model.config))
            let target = destination.appending(path: page.file)
            let temporary = destination.appending(path: page.directory + ".bulletin.pdf.partial")
            try Data(pdf).write(to: temporary)
            guard rename(temporary.path, target.path) == 0, let stamp = FileStamp(path: target.path) else {
                throw PDFError(description: "cannot write \(page.file)")
            }
            return .success(stamp)
        } catch {
            return .failure(.error("the print edition \(page.file) was not made: \(error)", at: location))
        }
    }
}
