import BulletinMemo
import BulletinModel
import BulletinSupport
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
    /// Where the build cache (the memo of the previous build) is kept: `.bulletin-cache` in the site, for the
    /// command line; nil builds everything from the sources and records nothing.
    public var cacheFolder: URL?
    /// Kept by a long-running process between its builds in place of `cacheFolder`.
    public var memory: BuildMemory?
    /// With `memory`: the files that may have changed since the build `memory` remembers (from a file watcher);
    /// the other bulletin files are taken from memory without looking at them. Nil when not known.
    public var changedFiles: ChangedFiles?
    /// Whether to print every bulletin to `bulletin.pdf`: true for `--pdf`, false to leave it out (the preview
    /// server), nil as site.yaml's `pdf` says.
    public var pdf: Bool?

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
struct ProgressCounter: Sendable {
    private let done = LockedValue(0)
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
        let current = done.update { done in
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
    /// Attachments, linked files and photo variants published beside bulletins' pages.
    public var bulletinFiles = 0
    /// Print editions (`bulletin.pdf`) in the site, and how many of them were printed by this build.
    public var printEditions = 0
    public var printed = 0
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
            + "\(searchFiles) \(plural(searchFiles, "search index file"))"
            + (bulletinFiles > 0 ? ", \(bulletinFiles) \(plural(bulletinFiles, "file")) beside bulletins (attachments and photos) " : " ")
            + "and \(staticFiles) \(plural(staticFiles, "static file"))"
            + (printEditions > 0 ? ", \(printEditions) \(plural(printEditions, "print edition")) (\(printed) printed)" : "")
            + " in \(time) s"
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

/// What a long-running process (`bulletin serve`) keeps from one build for the next, instead of a cache
/// folder: the memo's record, so that a rebuild reads nothing back; the files it published, so that a rebuild
/// need not list the destination to find those to remove; the search index, read back from here to be
/// updated; and the list of bulletin files. Builds with it assume that nothing else changes their destination
/// (a private preview folder).
public final class BuildMemory: Sendable {
    struct State: Sendable {
        var record: SiteMemo.Record?
        /// The files the last build published, and where.
        var published: (destination: String, files: Set<String>)?
        /// The files of the search index of `record`, by path in the index.
        var searchFiles: [String: [UInt8]]?
        /// The bulletin files of a content folder as last listed.
        var listing: (folder: String, files: FileListing)?
    }

    let state = LockedValue(State())
    /// The images processed by this process's builds.
    let images = ImageStore(cacheFolder: nil)

    public init() {}
}
