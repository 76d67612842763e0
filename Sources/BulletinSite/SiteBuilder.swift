import BulletinFrontMatter
import BulletinMemo
import BulletinModel
import BulletinSearch
import BulletinSupport
import BulletinTemplates
import Foundation

/// The memo of a site's builds: bulletins as parsed, by file, and the aggregates, by the facts they come from.
typealias SiteMemo = BuildMemo<ParsedFacts, SiteAggregates>

/// The build pipeline: read → parse → check and aggregate → plan → render → publish, and with `pdf` → print
/// (`PrintEdition`, from the published site). Each stage is a function of the previous stage's values; with a
/// build cache, the memo of the previous build is consulted between stages (a file whose stamp or text is
/// unchanged is not parsed again, aggregates of unchanged facts are not worked out again, a page whose
/// fingerprint is unchanged is kept instead of rendered or printed).
public enum SiteBuilder {
    /// Runs every check of a build without writing anything: the diagnostics a build would report.
    public static func check(_ options: BuildOptions) async -> [Diagnostic] {
        var diagnostics: [Diagnostic]
        switch read(options, memory: nil) {
        case .failure(let failure):
            diagnostics = failure.items
        case .success(let site):
            let parsed = parse(site, options: options, memo: nil)
            diagnostics = checkAndAggregate(parsed.bulletins, order: SiteOrder(parsed.bulletins, config: site.config), found: site.diagnostics + parsed.diagnostics,
                                site: site, options: options, memo: nil).diagnostics
        }
        return diagnostics.readingSourceLines(in: options.source.path).sortedForOutput()
    }

    /// The settings, bulletins (drafts too) and problems of the site in `directory`, read and parsed as a build
    /// would, without a build cache.
    static func load(_ directory: URL) -> (config: SiteConfig, bulletins: [LoadedBulletin], diagnostics: [Diagnostic]) {
        let options = BuildOptions(source: directory, includeDrafts: true, jobs: 2)
        switch read(options, memory: nil) {
        case .failure(let failure):
            return (SiteConfig(), [], failure.items)
        case .success(let site):
            let parsed = parse(site, options: options, memo: nil)
            return (site.config, parsed.bulletins, site.diagnostics + parsed.diagnostics)
        }
    }

    /// The districts the bulletins of the site in `directory` name, sorted: places an import may take besides
    /// the gazetteer's.
    public static func districtsInUse(_ directory: URL) -> [String] {
        Set(load(directory).bulletins.flatMap(\.facts.bulletin.districts)).sorted()
    }

    /// The settings of the site in `directory` (defaults when it has no valid content/site.yaml).
    public static func siteConfig(_ directory: URL) -> SiteConfig {
        ContentLoader.loadConfig(siteDirectory: directory).0
    }

    /// The base URL a build of `options` would use (from --base-url or site.yaml).
    public static func configuredBaseURL(_ options: BuildOptions) -> String? {
        if let url = options.baseURL { return SiteConfigDecoder.normalizedBaseURL(url) }
        return ContentLoader.loadConfig(siteDirectory: options.source).0.baseURL
    }

    /// The templates of the site in `directory` over the defaults; nil after adding their errors to `diagnostics`.
    static func templates(of directory: URL, diagnostics: inout [Diagnostic]) -> TemplateLibrary? {
        let folder = directory.appending(path: "templates")
        switch TemplateLibrary.load(siteTemplatesDirectory: FileManager.default.fileExists(atPath: folder.path) ? folder : nil) {
        case .success(let library):
            return library
        case .failure(let list):
            diagnostics += list.items
            return nil
        }
    }

    // MARK: - Stages

    /// What the parse stage makes of one file: its bulletin (nil when it has errors), its problems, and what the
    /// memo records of it (`reused` when taken from the previous build, `restamped` when with another stamp).
    private struct ParsedFile {
        var loaded: LoadedBulletin?
        var diagnostics: [Diagnostic]
        var source: SiteMemo.Record.Source?
        var reused = false
        var restamped = false
    }

    /// What the read stage finds: the settings, the bulletin files and the problems of both.
    struct SiteSources: Sendable {
        var config: SiteConfig
        var listing: FileListing
        var diagnostics: [Diagnostic]
        /// Digest of the tool and the settings: what every memo entry of the site depends on.
        var settings: UInt64
        /// Where bulletins' files are found and images processed.
        var files: SiteFiles
    }

    /// Read: the site's settings and its bulletin files (as `memory` last listed them when a watcher says none
    /// was added, removed or renamed).
    static func read(_ options: BuildOptions, memory: BuildMemory?) -> Result<SiteSources, DiagnosticList> {
        let contentDirectory = options.source.appending(path: "content")
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: contentDirectory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            return .failure(DiagnosticList([
                .error("no content folder: expected \(contentDirectory.path) holding the bulletins and site.yaml")
            ]))
        }
        var (config, diagnostics) = ContentLoader.loadConfig(siteDirectory: options.source)
        if let pdf = options.pdf { config.pdf = pdf }
        if let baseURL = options.baseURL {
            if let normalized = SiteConfigDecoder.normalizedBaseURL(baseURL) {
                config.baseURL = normalized
            } else {
                diagnostics.append(.error("--base-url must be an absolute http(s) URL, found '\(baseURL)'"))
            }
        }
        let listing: FileListing
        let remembered = memory?.state.get().listing
        if let changed = options.changedFiles, !changed.listChanged, let remembered, remembered.folder == contentDirectory.path {
            listing = remembered.files
        } else {
            listing = ContentLoader.markdownFiles(under: contentDirectory, siteDirectory: options.source)
            // A link's target may change where no watcher looks: a listing with links is made every time.
            if listing.skipped.isEmpty && !listing.files.contains(where: \.isLink) {
                memory?.state.update { $0.listing = (contentDirectory.path, listing) }
            }
        }
        var settings = StableDigest()
        settings.add(toolIdentity)
        settings.add((try? JSONEncoder.sorted.encode(config)).map(Array.init) ?? [])
        let files = SiteFiles(siteDirectory: options.source, images: memory?.images ?? ImageStore(cacheFolder: options.cacheFolder),
                              maxTableFileSize: config.maxFileSize)
        return .success(SiteSources(config: config, listing: listing, diagnostics: diagnostics + listing.skipped, settings: settings.value,
                                    files: files))
    }

    /// Parse: every bulletin file decoded, its body rendered once. With a memo, a file whose stamp (or, told by
    /// a watcher, whose absence of change) or text is the previous build's is taken from the memo instead.
    static func parse(_ site: SiteSources, options: BuildOptions, memo: SiteMemo?) -> (bulletins: [LoadedBulletin], diagnostics: [Diagnostic]) {
        let files = site.listing.files, config = site.config, siteFiles = site.files
        let told = options.memory == nil ? nil : options.changedFiles
        let counter = ProgressCounter(stage: "reading bulletins", total: files.count, report: options.progress)
        let bodies = LoadedBulletin.BodyFiles(config: config, site: siteFiles)
        let results = concurrentMap(files.count, jobs: options.jobs) { number -> ParsedFile in
            defer { counter.increment() }
            let file = files[number]
            func reuse(_ entry: SiteMemo.Record.Source, restamped: Bool = false) -> ParsedFile? {
                guard let stored = try? entry.stored.decoded(), let facts = stored.value,
                      facts.dependenciesUnchanged(siteDirectory: siteFiles.siteDirectory) else { return nil }
                return ParsedFile(loaded: LoadedBulletin(facts: facts, body: .file(file.path, bodies)), diagnostics: facts.diagnostics,
                                  source: .init(key: entry.key, stamp: entry.stamp, stored: stored), reused: true, restamped: restamped)
            }
            if let told, !file.isLink, !told.paths.contains(file.path), let entry = memo?.unchangedSource(path: file.displayPath),
               let reused = reuse(entry) {
                return reused
            }
            // Stamped before reading: a change while it is read gives it another stamp.
            let stamp = memo == nil ? nil : SourceStamp(path: file.path)
            if let entry = memo?.source(path: file.displayPath, stamp: stamp), let reused = reuse(entry) { return reused }
            let bytes: [UInt8]
            switch ContentLoader.readBytes(file.path, displayPath: file.displayPath, limit: config.maxFileSize) {
            case .success(let read): bytes = read
            case .failure(let diagnostic): return ParsedFile(loaded: nil, diagnostics: [diagnostic])
            }
            let key = ContentLoader.digest(bytes)
            if var entry = memo?.source(path: file.displayPath, key: key) {
                let restamped = entry.stamp != stamp
                entry.stamp = stamp
                if let reused = reuse(entry, restamped: restamped) { return reused }
            }
            let (loaded, diagnostics) = ContentLoader.loadBulletin(bytes: bytes, key: key, displayPath: file.displayPath, config: config,
                                                                   site: siteFiles)
            return ParsedFile(loaded: loaded, diagnostics: diagnostics, source: loaded.map { .init(key: key, stamp: stamp, value: $0.facts) })
        }
        var bulletins: [LoadedBulletin] = [], diagnostics: [Diagnostic] = []
        var recorded = SiteMemo.Sources()
        recorded.reserveCapacity(files.count)
        for (file, parsed) in zip(files, results) {
            diagnostics += parsed.diagnostics
            if let loaded = parsed.loaded, options.includeDrafts || !loaded.draft { bulletins.append(loaded) }
            if let source = parsed.source { recorded.add(source, path: file.displayPath, reused: parsed.reused, restamped: parsed.restamped) }
        }
        memo?.record(sources: recorded)
        return (bulletins, diagnostics)
    }

    /// Check and aggregate: the checks across bulletins, the templates, and the site model with its aggregates;
    /// a renderer only when there is no error, among these and those `found` before. When the memo has the
    /// aggregates of the same facts, they are taken from it and the checks are not run again (they found nothing
    /// in those facts, or there would be no aggregates).
    static func checkAndAggregate(_ bulletins: [LoadedBulletin], order: SiteOrder, found: [Diagnostic], site: SiteSources, options: BuildOptions,
                      memo: SiteMemo?) -> (renderer: SiteRenderer?, diagnostics: [Diagnostic]) {
        var key = StableDigest()
        key.add(site.settings)
        for loaded in order.bulletins {
            key.add(loaded.sourcePath)
            key.add(loaded.factsKey)
        }
        let previous = memo?.aggregates(key: key.value)
        var diagnostics = found + (previous == nil ? SiteValidator.check(bulletins, config: site.config) : [])
        let templates = templates(of: options.source, diagnostics: &diagnostics)
        guard !diagnostics.hasErrors, let templates else { return (nil, diagnostics) }
        var aggregates = previous ?? SiteAggregates(of: order, config: site.config)
        if previous == nil {
            // Lines read once: a later build reusing the aggregates reuses their diagnostics as they are.
            aggregates.diagnostics = aggregates.diagnostics.readingSourceLines(in: options.source.path)
        }
        memo?.record(aggregates: aggregates, key: key.value, reused: previous != nil)
        diagnostics += aggregates.diagnostics
        if site.config.baseURL == nil {
            diagnostics.append(.warning("base_url is not set in content/site.yaml (or --base-url): feed.xml and sitemap.xml need absolute URLs and are not written"))
        }
        guard !diagnostics.hasErrors else { return (nil, diagnostics) }
        let model = SiteModel(config: site.config, order: order, aggregates: aggregates)
        return (SiteRenderer(model: model, templates: templates, files: site.files), diagnostics)
    }

    // MARK: - The whole build

    /// Runs a whole build. Nothing is written unless every input is valid.
    public static func build(_ options: BuildOptions, onLockWait: @Sendable () -> Void = {}) async -> BuildReport {
        var timer = StageTimer()
        func failed(_ diagnostics: [Diagnostic]) -> BuildReport {
            BuildReport(diagnostics: diagnostics.readingSourceLines(in: options.source.path).sortedForOutput(), bulletins: 0, pages: 0,
                        textEditions: 0, dataFiles: 0, staticFiles: 0, seconds: timer.total, succeeded: false)
        }
        let memory = options.memory
        let site: SiteSources
        switch read(options, memory: memory) {
        case .success(let read): site = read
        case .failure(let failure): return failed(failure.items)
        }
        let recordPath = options.cacheFolder.map { $0.appending(path: Self.recordName).path }
        let memo = memory != nil || recordPath != nil
            ? SiteMemo(previous: memory?.state.get().record ?? recordPath.flatMap(SiteMemo.load), settings: site.settings) : nil
        timer.end(memo == nil ? "read the site" : "read the site and the build cache")
        let parsed = parse(site, options: options, memo: memo)
        timer.end("read bulletins")
        let publisher = publisher(options, memo: memo)
        // Locked before the previous output's search index is read: it must not change meanwhile.
        let lock: OutputPublisher.Lock
        do {
            lock = try publisher.lock(onWait: onLockWait)
        } catch {
            return failed(site.diagnostics + parsed.diagnostics + [.error("cannot write the site to \(publisher.destination.path): \(error)")])
        }
        defer { withExtendedLifetime(lock) {} }

        // The search index needs only the bulletins in order: made while they are checked and the pages rendered.
        let order = SiteOrder(parsed.bulletins, config: site.config)
        let search = SearchPlan(order: order, settings: site.settings, memo: memo, memory: memory, destination: publisher.destination)
        var searchTask = search.isUnchanged ? nil : Task { try await order.searchIndex(jobs: options.jobs, previous: search.previous) }
        let checked = checkAndAggregate(parsed.bulletins, order: order, found: site.diagnostics + parsed.diagnostics, site: site, options: options,
                            memo: memo)
        timer.end("check and work out aggregates")
        var diagnostics = checked.diagnostics
        guard let renderer = checked.renderer else {
            searchTask?.cancel()
            return failed(diagnostics)
        }
        // The files published are forgotten until this build has published.
        memory?.state.update { $0.published = nil }
        do {
            try publisher.prepareStaging()
            let pages = PagePlan.pages(renderer.model)
            let toRender = pagesToRender(pages, renderer: renderer, site: site, options: options, memo: memo, publisher: publisher)
            // Print editions are printed from the published site, last.
            let toPrint = toRender.filter(\.page.isPrintEdition)
            let timings = try render(toRender.filter { !$0.page.isPrintEdition }, renderer: renderer, options: options, memo: memo,
                                     publisher: publisher)
            for file in renderer.templates.staticFiles {
                try publisher.write(file.bytes, to: "static/" + file.path)
            }
            timer.end("render and write pages", pages: timings)

            let keptIndex = search.isUnchanged && search.keep(publisher: publisher)
            var made = keptIndex ? nil : try await searchTask?.value
            searchTask = nil  // a task keeps its result as long as it is referenced
            if !keptIndex, made == nil {  // the previous index was to be kept but could not be
                made = try await order.searchIndex(jobs: options.jobs, previous: nil)
            }
            guard keptIndex || made != nil else { throw PublishError("the build was cancelled") }
            timer.end("finish the search index")
            if let made { try search.write(made.index, publisher: publisher, jobs: options.jobs) }
            timer.end("write the search index")

            // The memo is saved while the output is updated (or the previous one removed).
            try publisher.publish {
                guard let memo else { return }
                let record = memo.record
                memory?.state.update { $0.record = record }
                if let recordPath, !memo.isUnchanged { SiteMemo.save(record, to: recordPath) }
            }
            if let memory {
                let files = publisher.publishedFiles
                memory.state.update { $0.published = (publisher.destination.path, files) }
            }
            timer.end(memo == nil ? "publish" : "publish and save the build cache")

            let printing = await PrintEdition.print(
                toPrint, model: renderer.model, destination: publisher.destination, jobs: options.jobs,
                progress: ProgressCounter(stage: "printing PDFs", total: toPrint.count, report: options.progress))
            diagnostics += printing.diagnostics
            if let memo, !printing.written.isEmpty {
                for (page, fingerprint, stamp) in printing.written {
                    if let fingerprint { memo.record(output: page.file, .init(fingerprint: fingerprint, stamp: stamp), rendered: true) }
                }
                let record = memo.record
                memory?.state.update { $0.record = record }
                if let recordPath { SiteMemo.save(record, to: recordPath) }
            }
            if !toPrint.isEmpty { timer.end("print PDFs") }

            var report = BuildReport(
                diagnostics: diagnostics.readingSourceLines(in: options.source.path).sortedForOutput(),
                bulletins: renderer.bulletins.count, pages: pages.count { !$0.isText && !$0.isDataFile && !$0.isBulletinFile && !$0.isPrintEdition },
                textEditions: pages.count(where: \.isText), dataFiles: pages.count(where: \.isDataFile),
                staticFiles: renderer.templates.staticFiles.count, seconds: timer.total, succeeded: true)
            let index = memo?.record.searchIndex
            (report.searchFiles, report.searchBytes) = made.map { ($0.index.files.count, $0.index.totalBytes) }
                ?? (index?.count ?? 0, index?.values.reduce(0) { $0 + $1.stamp.size } ?? 0)
            report.searchIndex = made?.how ?? .kept
            if let taken = memo?.taken {
                report.reusedFiles = taken.keptOutputs
                report.reusedBulletins = taken.reusedSources
                report.reusedAggregates = taken.reusedAggregates
                report.renderedFiles = taken.rendered.sorted()
            }
            report.bulletinFiles = pages.count(where: \.isBulletinFile)
            report.printEditions = pages.count(where: \.isPrintEdition)
            report.printed = printing.written.count
            report.stageSeconds = timer.stages
            return report
        } catch {
            publisher.discardStaging()
            // A body that could no longer be read is reported as it is; anything else failed to be written.
            diagnostics.append(error as? Diagnostic ?? .error("cannot write the site to \(publisher.destination.path): \(error)"))
            return failed(diagnostics)
        }
    }

    /// The name of the memo's record in the build cache folder.
    static let recordName = "memo.bin"

    /// A digest of the running executable (its size, time and inode): a rebuilt tool may render differently.
    static let toolIdentity: UInt64 = {
        var digest = StableDigest()
        if let stamp = FileStamp(path: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? "") {
            digest.add(stamp.size)
            digest.add(stamp.modified)
            digest.add(stamp.inode)
        }
        return digest.value
    }()

    /// The publisher of a build: updating the output in place when the memo records the previous one, and knowing
    /// the files there when the process remembers publishing them.
    private static func publisher(_ options: BuildOptions, memo: SiteMemo?) -> OutputPublisher {
        let destination = options.resolvedDestination
        var isFolder: ObjCBool = false
        let inPlace = memo?.previous.outputs.isEmpty == false
            && FileManager.default.fileExists(atPath: destination.path, isDirectory: &isFolder) && isFolder.boolValue
        let known = inPlace ? options.memory?.state.get().published.flatMap { $0.destination == destination.path ? $0.files : nil } : nil
        return OutputPublisher(destination: destination, inPlace: inPlace, knownFiles: known, listsFiles: options.memory != nil)
    }

    /// The pages to render, with their fingerprints (nil without a memo); the memo's other pages are kept from
    /// the previous output. When only bodies changed, every page that shows none of them is kept at once.
    private static func pagesToRender(_ pages: [Page], renderer: SiteRenderer, site: SiteSources, options: BuildOptions,
                                      memo: SiteMemo?, publisher: OutputPublisher) -> [(page: Page, fingerprint: UInt64?)] {
        guard let memo else { return PagePlan.renderingOrder(pages).map { ($0, nil) } }
        var visited = pages
        let base = PageFingerprints.pagesBase(settings: site.settings, templates: renderer.templates)
        let order = renderer.bulletins.map(SiteMemo.Record.OrderedSource.init)
        memo.record(order: order, pagesBase: base)
        let previous = memo.previous.outputs
        let textOnly = memo.textOnlyChanges(order: order, pagesBase: base)
        if let changed = textOnly {
            let showing = visited.filter { $0.showsBody(of: changed) }
            var kept = previous
            for page in showing { kept[page.file] = nil }
            // A preview folder only these builds write need not be checked.
            let intact = options.memory != nil || allIntact(kept, in: publisher.destination, jobs: options.jobs)
            if intact && publisher.keepPrevious(Array(kept.keys)) {
                memo.record(keptOutputs: kept)
                visited = showing
            }
        }
        let fingerprints = PageFingerprints(model: renderer.model, base: base, manyPages: textOnly == nil)
        var toRender: [(page: Page, fingerprint: UInt64?)] = []
        for page in PagePlan.renderingOrder(visited) {
            let fingerprint = textOnly.flatMap { page.showsBody(of: $0) ? nil : previous[page.file]?.fingerprint }
                ?? fingerprints.page(page)
            if let output = previous[page.file], output.fingerprint == fingerprint,
               FileStamp(path: publisher.destination.path + "/" + page.file) == output.stamp, publisher.linkPrevious(page.file) {
                memo.record(output: page.file, output, rendered: false)
            } else {
                toRender.append((page, fingerprint))
            }
        }
        return toRender
    }

    /// Whether every output file is still in `destination` with the stamp it was written with.
    private static func allIntact(_ outputs: [String: SiteMemo.Record.Output], in destination: URL, jobs: Int) -> Bool {
        let entries = Array(outputs), parts = 8
        return !concurrentMap(parts, jobs: jobs) { part in
            entries[entries.count * part / parts..<entries.count * (part + 1) / parts].allSatisfy { path, output in
                FileStamp(path: destination.path + "/" + path) == output.stamp
            }
        }.contains(false)
    }

    /// Render: the pages, on `jobs` workers, into the staging folder; the time each kind took.
    private static func render(_ pages: [(page: Page, fingerprint: UInt64?)], renderer: SiteRenderer, options: BuildOptions,
                               memo: SiteMemo?, publisher: OutputPublisher) throws -> [BuildReport.PageTiming] {
        let renderer = renderer.preparing(pages.map(\.page), jobs: options.jobs)
        let counter = ProgressCounter(stage: "writing pages", total: pages.count, report: options.progress)
        let clock = ContinuousClock()
        let outcomes = concurrentMap(pages.count, jobs: options.jobs) { number -> Result<Duration, any Error> in
            let (page, fingerprint) = pages[number]
            do {
                let start = clock.now
                let stamp = try renderer.write(page, with: publisher)
                if let fingerprint { memo?.record(output: page.file, .init(fingerprint: fingerprint, stamp: stamp), rendered: true) }
                counter.increment()
                return .success(clock.now - start)
            } catch {
                return .failure(error)
            }
        }
        var byKind: [String: (count: Int, seconds: Double)] = [:]
        for (item, outcome) in zip(pages, outcomes) {
            let time = try outcome.get()
            byKind[item.page.timingLabel, default: (0, 0)].count += 1
            byKind[item.page.timingLabel, default: (0, 0)].seconds += time.seconds
        }
        return byKind.map { (kind: $0.key, count: $0.value.count, seconds: $0.value.seconds) }
            .sorted { ($0.seconds, $1.kind) > ($1.seconds, $0.kind) }
    }
}

/// The time of each stage of a build.
struct StageTimer {
    private let clock = ContinuousClock()
    private let start: ContinuousClock.Instant
    private var stageStart: ContinuousClock.Instant
    private(set) var stages: [BuildReport.StageTiming] = []

    init() {
        start = clock.now
        stageStart = start
    }

    /// Ends the current stage, named `name`.
    mutating func end(_ name: String, pages: [BuildReport.PageTiming] = []) {
        stages.append((name, (clock.now - stageStart).seconds, pages))
        stageStart = clock.now
    }

    /// Seconds since the build started.
    var total: Double { (clock.now - start).seconds }
}

extension JSONEncoder {
    /// An encoder with sorted keys: the same value, the same bytes (what digests of settings and pages encode with).
    static let sorted: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return encoder
    }()
}

extension Duration {
    /// The duration in seconds.
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

extension MemoRecord.OrderedSource where Parsed == ParsedFacts {
    init(_ loaded: LoadedBulletin) {
        self.init(path: loaded.sourcePath, key: loaded.sourceKey, factsKey: loaded.factsKey)
    }
}
