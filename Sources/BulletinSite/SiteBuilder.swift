import BulletinFrontMatter
import BulletinModel
import BulletinTemplates
import Foundation

/// The files a watcher saw change: the absolute paths of files written, created, removed or renamed, and
/// whether any was created, removed or renamed (so that the list of files may differ).
public struct ChangedFiles: Sendable, Equatable {
    public var paths: Set<String>
    public var listChanged: Bool

    public init(paths: Set<String> = [], listChanged: Bool = false) {
        self.paths = paths
        self.listChanged = listChanged
    }

    /// Both sets of changes.
    public func merging(_ other: ChangedFiles) -> ChangedFiles {
        ChangedFiles(paths: paths.union(other.paths), listChanged: listChanged || other.listChanged)
    }
}

/// What to build and where.
public struct BuildOptions: Sendable {
    /// The site folder, holding `content/` and optionally `templates/`.
    public var source: URL
    /// Where the site goes; `source/output` when nil.
    public var destination: URL?
    public var includeDrafts: Bool
    /// Overrides `base_url` of site.yaml.
    public var baseURL: String?
    /// Concurrent workers for decoding and rendering.
    public var jobs: Int
    /// Told how far the build is, from the workers, at most a few hundred times a build.
    public var progress: (@Sendable (BuildProgress) -> Void)?
    /// Where the build cache is kept (`.bulletin-cache` in the site, for the command line); nil builds
    /// everything from the sources and records nothing.
    public var cacheFolder: URL?
    /// Kept by a long-running process between its builds in place of (or besides) `cacheFolder`.
    public var memory: BuildMemory?
    /// With `memory`: the files that may have changed since the build `memory` remembers (from a file watcher);
    /// the other bulletin files are taken from memory without looking at them. Nil when not known.
    public var changedFiles: ChangedFiles?

    public init(source: URL, destination: URL? = nil, includeDrafts: Bool = false, baseURL: String? = nil,
                jobs: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.source = source
        self.destination = destination
        self.includeDrafts = includeDrafts
        self.baseURL = baseURL
        self.jobs = max(1, jobs)
    }

    /// The name of the build cache's folder in a site, used by `bulletin build`.
    public static let cacheFolderName = ".bulletin-cache"

    /// The output folder.
    public var resolvedDestination: URL { destination ?? source.appending(path: "output") }
}

/// How far a build is: its stage and the items of that stage done.
public struct BuildProgress: Sendable {
    public var stage: String
    public var done: Int
    public var total: Int
}

/// Counts finished items across workers and reports every hundredth of the total.
final class ProgressCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var done = 0
    private let total: Int
    private let stage: String
    private let report: (@Sendable (BuildProgress) -> Void)?

    init(stage: String, total: Int, report: (@Sendable (BuildProgress) -> Void)?) {
        self.stage = stage
        self.total = total
        self.report = report
    }

    func increment() {
        guard let report else { return }
        let current: Int = lock.withLock {
            done += 1
            return done
        }
        if current == total || current % max(1, total / 100) == 0 { report(BuildProgress(stage: stage, done: current, total: total)) }
    }
}

/// The outcome of a build.
public struct BuildReport: Sendable {
    /// Every problem found, sorted by file and line.
    public var diagnostics: [Diagnostic]
    public var bulletins: Int
    /// HTML pages written.
    public var pages: Int
    /// Plain-text editions written.
    public var textEditions: Int
    /// Feeds, sitemap and data files written.
    public var dataFiles: Int
    public var staticFiles: Int
    /// Files of the search index and their total size in bytes.
    public var searchFiles: Int = 0
    public var searchBytes: Int = 0
    /// Output files whose inputs were unchanged since the cached build, linked instead of rendered.
    public var reusedFiles: Int = 0
    /// Bulletin files taken from the build cache instead of being parsed.
    public var reusedBulletins: Int = 0
    /// Whether the aggregates (stats, exemplars, terms and the checks across bulletins) were the previous build's,
    /// every bulletin's facts being as they were.
    public var reusedAggregates = false
    /// With a build cache: the pages, text editions and data files rendered (not kept), sorted.
    public var renderedFiles: [String] = []
    /// How the search index was made.
    public var searchIndex = SearchIndexOrigin.built
    public var seconds: Double
    /// A stage of the build: its name, seconds and, for the rendering, the pages rendered (not kept from the
    /// cache) by kind with the seconds their rendering and writing took on all workers together, slowest first.
    public typealias StageTiming = (stage: String, seconds: Double, pages: [PageTiming])
    public typealias PageTiming = (kind: String, count: Int, seconds: Double)
    /// Each stage, in order.
    public var stageSeconds: [StageTiming] = []
    /// Whether the new site was published; false leaves the previous output untouched.
    public var succeeded: Bool

    /// One line for the end of a build.
    public var summary: String {
        let time = String(format: "%.2f", seconds)
        guard succeeded else {
            let errors = diagnostics.count { $0.severity == .error }
            return "Build failed with \(errors) error\(errors == 1 ? "" : "s"); the previous output is unchanged."
        }
        return "Built \(bulletins) \(plural(bulletins, "bulletin")): \(pages) \(plural(pages, "page")), "
            + "\(textEditions) \(plural(textEditions, "text edition")), \(dataFiles) \(plural(dataFiles, "data file")), "
            + "\(searchFiles) \(plural(searchFiles, "search index file")) "
            + "and \(staticFiles) \(plural(staticFiles, "static file")) in \(time) s"
            + (reusedFiles > 0 ? " (\(reusedFiles) unchanged \(plural(reusedFiles, "file")) kept from the previous build)." : ".")
    }

    /// The time of each stage (and of each kind of page rendered), the search index's origin and size, and
    /// what the build cache saved: one line each.
    public var timingLines: [String] {
        stageSeconds.flatMap { stage in
            [String(format: "  %@: %.3f s", stage.stage, stage.seconds)]
                + stage.pages.map { String(format: "    %@: %d in %.3f s of workers' time", $0.kind, $0.count, $0.seconds) }
        } + [
            String(format: "  search index (%@): %d files, %.2f MB", searchIndex.rawValue, searchFiles, Double(searchBytes) / 1e6),
            "  from the build cache: \(reusedBulletins) bulletins decoded before, \(reusedFiles) output files unchanged"
                + (reusedAggregates ? ", the aggregates" : ""),
        ]
    }

    private func plural(_ count: Int, _ noun: String) -> String {
        count == 1 ? noun : noun + "s"
    }
}

/// How a build made its search index.
public enum SearchIndexOrigin: String, Sendable {
    /// From every bulletin.
    case built
    /// From the previous build's index and the bulletins changed since.
    case updated
    /// Unchanged since the previous build.
    case kept
}

/// Builds a site: load and validate everything, render into a staging folder, swap it into place.
public enum SiteBuilder {
    /// Runs every check of a build without writing anything: the diagnostics a build would report.
    public static func check(_ options: BuildOptions) async -> [Diagnostic] {
        await validate(options).diagnostics.readingSourceLines(in: options.source.path).sortedForOutput()
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

    /// Loads and validates everything; a renderer only when there is no error.
    static func validate(_ options: BuildOptions) async -> (renderer: SiteRenderer?, diagnostics: [Diagnostic]) {
        let content = await load(options, cache: nil)
        return validate(content, order: SiteOrder(content.bulletins), options: options, cache: nil)
    }

    /// Reads `content/`: the configuration and bulletins (the unchanged ones from `cache`).
    private static func load(_ options: BuildOptions, cache: BuildCache?) async -> LoadedContent {
        await ContentLoader.load(siteDirectory: options.source, includeDrafts: options.includeDrafts, baseURL: options.baseURL,
                                 jobs: options.jobs, progress: options.progress, cache: cache,
                                 changedFiles: options.memory == nil ? nil : options.changedFiles)
    }

    /// Checks the bulletins together, loads the templates and works out the aggregates (reusing the previous
    /// build's from `cache` when the facts are the same); a renderer only when there is no error.
    private static func validate(_ content: LoadedContent, order: SiteOrder, options: BuildOptions,
                                 cache: BuildCache?) -> (renderer: SiteRenderer?, diagnostics: [Diagnostic]) {
        var diagnostics = content.diagnostics
        diagnostics += SiteValidator.check(content.bulletins)
        let templates = templates(of: options.source, diagnostics: &diagnostics)
        guard !diagnostics.hasErrors, let templates else { return (nil, diagnostics) }
        let previous = cache?.previousAggregates(for: order)
        var aggregates = previous ?? SiteAggregates(of: order, config: content.config)
        // Lines read once: a later build reusing the aggregates reuses their diagnostics as they are.
        aggregates.diagnostics = aggregates.diagnostics.readingSourceLines(in: options.source.path)
        cache?.remember(aggregates: aggregates, reused: previous != nil)
        diagnostics += aggregates.diagnostics
        let model = SiteModel(config: content.config, order: order, aggregates: aggregates)
        if content.config.baseURL == nil {
            diagnostics.append(.warning("base_url is not set in content/site.yaml (or --base-url): feed.xml and sitemap.xml need absolute URLs and are not written"))
        }
        guard !diagnostics.hasErrors else { return (nil, diagnostics) }
        return (SiteRenderer(model: model, templates: templates), diagnostics)
    }

    /// The publisher of a build: updating the output in place when the build cache records the previous one,
    /// and knowing the files there when the process remembers publishing them.
    private static func publisher(_ options: BuildOptions, cache: BuildCache?) -> OutputPublisher {
        let destination = options.resolvedDestination
        var isFolder: ObjCBool = false
        let inPlace = cache?.hasPreviousOutputs == true
            && FileManager.default.fileExists(atPath: destination.path, isDirectory: &isFolder) && isFolder.boolValue
        let known = inPlace ? options.memory?.state.get().published.flatMap { $0.destination == destination.path ? $0.files : nil } : nil
        return OutputPublisher(destination: destination, inPlace: inPlace, knownFiles: known, listsFiles: options.memory != nil)
    }

    /// Runs a whole build. Nothing is written unless every input is valid.
    public static func build(_ options: BuildOptions, onLockWait: @Sendable () -> Void = {}) async -> BuildReport {
        let clock = ContinuousClock()
        let start = clock.now
        func report(_ diagnostics: [Diagnostic], bulletins: Int = 0, pages: [Page] = [], staticFiles: Int = 0,
                    succeeded: Bool) -> BuildReport {
            let sorted = diagnostics.readingSourceLines(in: options.source.path).sortedForOutput()
            let seconds = (clock.now - start).seconds
            let texts = pages.count(where: \.isText), data = pages.count(where: \.isDataFile)
            return BuildReport(diagnostics: sorted, bulletins: bulletins, pages: pages.count - texts - data,
                               textEditions: texts, dataFiles: data, staticFiles: staticFiles, seconds: seconds,
                               succeeded: succeeded)
        }

        var stages: [BuildReport.StageTiming] = []
        var stageStart = clock.now
        func endStage(_ name: String, pages: [BuildReport.PageTiming] = []) {
            let elapsed = clock.now - stageStart
            stages.append((name, elapsed.seconds, pages))
            stageStart = clock.now
        }
        let cache = options.cacheFolder != nil || options.memory != nil ? BuildCache(folder: options.cacheFolder, memory: options.memory) : nil
        if cache != nil { endStage("read the build cache") }
        let content = await load(options, cache: cache)
        endStage("read bulletins")
        let publisher = publisher(options, cache: cache)
        // Locked before the previous output's search index is read: it must not change meanwhile.
        let lock: OutputPublisher.Lock
        do {
            lock = try publisher.lock(onWait: onLockWait)
        } catch {
            return report([.error("cannot write the site to \(options.resolvedDestination.path): \(error)")], succeeded: false)
        }
        defer { withExtendedLifetime(lock) {} }
        let order = SiteOrder(content.bulletins)
        // The search index needs only the bulletins in order: made while they are checked and the pages rendered.
        // It is kept as it is when its inputs are the previous build's.
        let searchFingerprint = cache.map { PageFingerprints.searchIndex(settings: $0.settings, bulletins: order.bulletins) }
        let indexUnchanged = searchFingerprint.map { cache?.searchIndexUnchanged(fingerprint: $0, in: publisher.destination) == true } ?? false
        let previousIndex = indexUnchanged ? nil : cache?.previousSearchIndex(in: publisher.destination)
        var searchTask = indexUnchanged ? nil : Task { try await order.searchIndex(jobs: options.jobs, previous: previousIndex) }
        let validated = validate(content, order: order, options: options, cache: cache)
        endStage("check and work out aggregates")
        var diagnostics = validated.diagnostics
        guard let renderer = validated.renderer else {
            searchTask?.cancel()
            return report(diagnostics, succeeded: false)
        }
        let templates = renderer.templates
        let pagesBase = cache.map { PageFingerprints.pagesBase(settings: $0.settings, templates: templates) }
        // The files published are forgotten until this build has published.
        options.memory?.state.update { $0.published = nil }
        do {
            try publisher.prepareStaging()
            let keptIndex = indexUnchanged && cache?.keepSearchIndex(publisher: publisher) == true
            let pages = PagePlan.pages(renderer.model)
            let counter = ProgressCounter(stage: "writing pages", total: pages.count, report: options.progress)
            cache?.record(bulletinOrder: renderer.bulletins.map(IndexedBulletin.init), pagesBase: pagesBase ?? 0)
            let bodyOnlyChanges = pagesBase.flatMap { cache?.bodyOnlyChanges(base: $0, bulletins: renderer.bulletins) }
            let fingerprints = pagesBase.map { PageFingerprints(model: renderer.model, base: $0) }
            var visited = PagePlan.renderingOrder(pages)
            // When only bodies changed, the pages that show none of them are the previous build's: kept all at once.
            if let changed = bodyOnlyChanges, let cache {
                let showing = visited.filter { $0.showsBody(of: changed) }
                if cache.keepPreviousOutputs(except: Set(showing.map(\.file)), checkingStamps: options.memory == nil,
                                             publisher: publisher) {
                    visited = showing
                }
            }
            // The pages to render, with their fingerprints; the others are kept from the previous build.
            var toRender: [(page: Page, fingerprint: UInt64?)] = []
            for page in visited {
                guard let cache, let fingerprints else {
                    toRender.append((page, nil))
                    continue
                }
                let fingerprint = bodyOnlyChanges.flatMap { page.showsBody(of: $0) ? nil : cache.previousFingerprint(page.file) }
                    ?? fingerprints.page(page)
                if !cache.keepOutput(page.file, fingerprint: fingerprint, publisher: publisher) { toRender.append((page, fingerprint)) }
            }
            let pageRenderer = renderer.renderingListEntries(of: toRender.map(\.page), jobs: options.jobs)
            let rendering = toRender
            // Each page's outcome: the failure, or the time it took to render and write.
            let outcomes = concurrentMap(toRender.count, jobs: options.jobs) { number -> Result<Duration, any Error> in
                let (page, fingerprint) = rendering[number]
                do {
                    let start = clock.now
                    let stamp = try pageRenderer.write(page, with: publisher)
                    if let fingerprint { cache?.record(output: page.file, fingerprint: fingerprint, stamp: stamp, rendered: true) }
                    counter.increment()
                    return .success(clock.now - start)
                } catch {
                    return .failure(error)
                }
            }
            var byKind: [String: (count: Int, seconds: Double)] = [:]
            for (item, outcome) in zip(toRender, outcomes) {
                let time = try outcome.get()
                byKind[item.page.timingLabel, default: (0, 0)].count += 1
                byKind[item.page.timingLabel, default: (0, 0)].seconds += time.seconds
            }
            for file in templates.staticFiles {
                try publisher.write(file.bytes, to: "static/" + file.path)
            }
            endStage("render and write pages", pages: byKind.map { (kind: $0.key, count: $0.value.count, seconds: $0.value.seconds) }
                .sorted { ($0.seconds, $1.kind) > ($1.seconds, $0.kind) })
            var made = keptIndex ? nil : try await searchTask?.value
            searchTask = nil  // a task keeps its result as long as it is referenced
            if !keptIndex, made == nil {  // the previous index was to be kept but could not be
                made = try await order.searchIndex(jobs: options.jobs, previous: nil)
            }
            guard keptIndex || made != nil else { throw PublishError("the build was cancelled") }
            let searchOrigin = made?.how ?? .kept
            let searchSize = made.map { (files: $0.index.files.count, bytes: $0.index.totalBytes) }
            endStage("finish the search index")
            if let index = made?.index {
                cache?.remember(searchIndex: index.files)
                let searchFailures = concurrentMap(index.files.count, jobs: options.jobs) { number -> String? in
                    let file = index.files[number]
                    do {
                        let path = SitePaths.search + file.path
                        // An updated index shares most files with the previous one: those are kept.
                        if index.keptFiles.contains(file.path), let cache, let searchFingerprint,
                           cache.keepSearchFile(path, fingerprint: searchFingerprint, publisher: publisher) {
                            return nil
                        }
                        let stamp = try publisher.write(pieces: file.pieces, to: path)
                        if let searchFingerprint {
                            cache?.record(searchFile: path, fingerprint: searchFingerprint, stamp: stamp)
                        }
                        return nil
                    } catch {
                        return "\(error)"
                    }
                }
                if let failure = searchFailures.compactMap({ $0 }).first { throw PublishError(failure) }
            }
            made = nil
            endStage("write the search index")
            // The build cache is saved while the output is updated (or the previous one removed).
            try publisher.publish { cache?.save() }
            if let memory = options.memory {
                let files = publisher.publishedFiles
                memory.state.update { $0.published = (publisher.destination.path, files) }
            }
            endStage(cache == nil ? "publish" : "publish and save the build cache")
            var result = report(diagnostics, bulletins: renderer.bulletins.count, pages: pages,
                                staticFiles: templates.staticFiles.count, succeeded: true)
            if let searchSize {
                (result.searchFiles, result.searchBytes) = searchSize
            } else if let cache {
                (result.searchFiles, result.searchBytes) = cache.searchIndexSize
            }
            result.reusedFiles = (cache?.keptOutputs ?? 0) + (keptIndex ? result.searchFiles : 0)
            result.searchIndex = searchOrigin
            result.reusedBulletins = cache?.reusedSources ?? 0
            result.reusedAggregates = cache?.reusedAggregates ?? false
            result.renderedFiles = cache?.renderedFiles ?? []
            result.stageSeconds = stages
            return result
        } catch {
            publisher.discardStaging()
            // A body that could no longer be read is reported as it is; anything else failed to be written.
            diagnostics.append(error as? Diagnostic ?? .error("cannot write the site to \(options.resolvedDestination.path): \(error)"))
            return report(diagnostics, succeeded: false)
        }
    }
}

extension Duration {
    /// The duration in seconds.
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
