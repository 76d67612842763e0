import ArgumentParser
import BulletinImport
import BulletinModel
import BulletinServer
import BulletinSite
import BulletinSupport
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The `bulletin` command line.
@available(macOS 10.15, *)
public struct BulletinCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "bulletin",
        abstract: "Builds websites and plain-text editions of civilization bulletins (精神文明建设·信息交流).",
        subcommands: [Build.self, Check.self, New.self, Init.self, Serve.self, Render.self, Import.self],
        defaultSubcommand: nil
    )

    public init() {}

    /// Runs the command line of this process and exits.
    public static func runMain() async {
        await main()
    }
}

/// The options `build` and `check` share: which site, where its output goes, drafts, base URL.
struct SiteOptions: ParsableArguments {
    @Option(name: .long, help: "The site folder, holding content/ and optionally templates/.")
    var source: String = "."

    @Option(name: .long, help: "The output folder: where build writes and check --links reads (default: SOURCE/output).")
    var destination: String?

    @Flag(name: .long, help: "Include bulletins marked 'draft: true'.")
    var drafts = false

    @Option(name: .customLong("base-url"), help: "Absolute URL the site is published at (overrides site.yaml base_url).")
    var baseURL: String?

    var buildOptions: BuildOptions {
        BuildOptions(
            source: URL(fileURLWithPath: source, isDirectory: true).standardizedFileURL,
            destination: destination.map { URL(fileURLWithPath: $0, isDirectory: true).standardizedFileURL },
            includeDrafts: drafts, baseURL: baseURL)
    }
}

/// `bulletin build`: renders the site in `--source` into `--destination`.
struct Build: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Build the site: every bulletin under content/ into a static website.",
        discussion: """
            Everything is checked before anything is written. The site is rendered into a staging folder and \
            swapped into place, so a failed build leaves the previous output untouched.
            """
    )

    @OptionGroup var site: SiteOptions

    @Option(name: .long, help: "Concurrent workers (default: the number of cores).")
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    @Flag(name: .long, help: "Print nothing but problems.")
    var quiet = false

    @Flag(name: [.customLong("timings"), .customLong("verbose")], help: "Also print the time each stage took and the size of the search index.")
    var timings = false

    @Flag(name: .customLong("no-cache"), help: "Render everything, neither reading nor writing the build cache (SOURCE/.bulletin-cache).")
    var noCache = false

    @Flag(name: .long, help: "Also print every bulletin to bulletin.pdf (as site.yaml 'pdf: true'; needs Debian's chromium).")
    var pdf = false

    func run() async throws {
        var options = site.buildOptions
        options.jobs = max(1, jobs)
        if pdf { options.pdf = true }
        if !noCache { options.cacheFolder = options.source.appending(path: BuildOptions.cacheFolderName) }
        let bar = ProgressBar(enabled: !quiet && isatty(STDERR_FILENO) != 0)
        options.progress = { bar.show($0) }
        let destinationPath = options.resolvedDestination.path
        let report = await SiteBuilder.build(options) {
            Console.printError("waiting for another build of \(destinationPath) to finish…")
        }
        bar.clear()
        // One write for all diagnostics: an archive can have thousands of warnings.
        if !report.diagnostics.isEmpty { Console.printError(report.diagnostics.map(\.rendered).joined(separator: "\n")) }
        if report.succeeded {
            if timings {
                for line in report.timingLines { print(line) }
            }
            if !quiet { print(report.summary) }
            // The site is published; a print edition that could not be made is still a failure.
            if report.diagnostics.hasErrors { throw ExitCode.failure }
        } else {
            Console.printError(report.summary)
            throw ExitCode.failure
        }
    }
}

/// `bulletin check`: every validation of a build, without writing anything.
struct Check: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check the site without writing output: every validation of a build, and links with --links.",
        discussion: "Exit status 0 when there is no error, 1 otherwise."
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json, github
    }

    @OptionGroup var site: SiteOptions

    @Option(name: .long, help: "text (compiler style), json (one object a line) or github (workflow annotations).")
    var format: Format = .text

    @Flag(name: .long, help: "Treat warnings as errors.")
    var strict = false

    @Flag(name: .long, help: "Also check every link of the built site in --destination.")
    var links = false

    func run() async throws {
        let options = site.buildOptions
        var diagnostics = await SiteBuilder.check(options)
        if links {
            let output = options.resolvedDestination
            if FileManager.default.fileExists(atPath: output.appending(path: "index.html").path) {
                let prefix = site.destination == nil ? "output/" : output.path + "/"
                diagnostics += LinkChecker.check(output: output, baseURL: SiteBuilder.configuredBaseURL(options), displayPrefix: prefix)
            } else {
                diagnostics.append(.error("no built site in \(output.path) to check links in; run bulletin build first"))
            }
        }
        if strict { diagnostics = diagnostics.map { Diagnostic(.error, $0.message, at: $0.location, sourceLine: $0.sourceLine) } }
        diagnostics = diagnostics.sortedForOutput()
        let colored = format == .text && isatty(STDOUT_FILENO) != 0 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
        for diagnostic in diagnostics {
            switch format {
            case .text: print(colored ? diagnostic.renderedInColor : diagnostic.rendered)
            case .json: print(diagnostic.jsonObject)
            case .github: print(diagnostic.githubAnnotation)
            }
        }
        let errors = diagnostics.count { $0.severity == .error }, warnings = diagnostics.count - errors
        if format == .text {
            print(errors + warnings == 0 ? "No problems found." : "\(errors) error\(errors == 1 ? "" : "s"), \(warnings) warning\(warnings == 1 ? "" : "s").")
        }
        if errors > 0 { throw ExitCode.failure }
    }
}

/// `bulletin new`: the next issue's file, numbered after the latest.
struct New: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create the next issue's file: issue and serial after the latest, site defaults, an outline.",
        discussion: "Prints the path of the new file. Never overwrites an existing file."
    )

    @Option(name: .long, help: "The site folder.")
    var source: String = "."

    @Option(name: .long, help: "The series, by name or (on a site of several series) slug (default: the site's default series).")
    var series: String?

    @Option(name: .long, help: "The issue date, YYYY-MM-DD (default: today in the site's time zone).")
    var date: String?

    @Option(name: .long, help: "The headline.")
    var title: String?

    func run() async throws {
        var parsedDate: CalendarDate?
        if let date {
            guard case .success(let value) = CalendarDate.parse(date) else {
                throw ValidationError("--date must be a calendar date written YYYY-MM-DD, found '\(date)'")
            }
            parsedDate = value
        }
        let site = URL(fileURLWithPath: source, isDirectory: true).standardizedFileURL
        switch await Scaffold.newBulletin(site: site, series: series, date: parsedDate, title: title) {
        case .success(let path):
            print(path)
        case .failure(let list):
            for diagnostic in list.items { Console.printError(diagnostic.rendered) }
            throw ExitCode.failure
        }
    }
}

/// `bulletin init`: a new site that builds at once.
struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create a new site: content/site.yaml with comments, an example bulletin, .gitignore.")

    @Argument(help: "The folder of the new site.")
    var directory: String

    @Flag(name: .customLong("with-templates"), help: "Copy the default templates into templates/ to edit them.")
    var withTemplates = false

    func run() throws {
        let folder = URL(fileURLWithPath: directory, isDirectory: true).standardizedFileURL
        switch Scaffold.newSite(at: folder, withTemplates: withTemplates, date: Scaffold.today(in: "Asia/Shanghai")) {
        case .success(let files):
            print("Created a site in \(folder.path) (\(files.count) files). Next: bulletin serve --source \(directory)")
        case .failure(let list):
            for diagnostic in list.items { Console.printError(diagnostic.rendered) }
            throw ExitCode.failure
        }
    }
}

/// `bulletin serve`: live preview.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Build, serve over HTTP, rebuild on every change and reload open pages.",
        discussion: "Watches content/ and templates/ with inotify. The preview is written to a temporary folder; output/ is left alone."
    )

    @Option(name: .long, help: "The site folder.")
    var source: String = "."

    @Option(name: .long, help: "Port (0 picks a free one).")
    var port: UInt16 = 1313

    @Option(name: .long, help: "Address to listen on.")
    var host: String = "127.0.0.1"

    @Option(name: .customLong("allowed-host"), help: ArgumentHelp(
        "Also answer requests addressed to this name (repeatable).",
        discussion: "Only requests whose Host is localhost, 127.0.0.1, [::1] or --host are answered; others get 403.",
        valueName: "name"))
    var allowedHosts: [String] = []

    @Flag(name: .long, help: "Include bulletins marked 'draft: true'.")
    var drafts = false

    @Flag(name: .long, help: "After each build, also print the time each stage took.")
    var timings = false

    func validate() throws {
        for name in allowedHosts where HostAllowList.hostName(name) == nil {
            throw ValidationError("--allowed-host '\(name)' is not a host name or address; give one like 'preview.example' or '192.168.1.5' (no scheme or path).")
        }
    }

    func run() async throws {
        let site = URL(fileURLWithPath: source, isDirectory: true).standardizedFileURL
        let preview = FileManager.default.temporaryDirectory.appending(path: "bulletin-serve-\(getpid())")
        let stopHandlers = Self.removeOnStop(preview)
        defer { withExtendedLifetime(stopHandlers) {} }
        var build = BuildOptions(source: site, destination: preview, includeDrafts: drafts)
        build.pdf = false  // the preview stays quick: print editions are made by bulletin build
        // Rebuilds after an edit decode and render only what the edit changed; the build cache stays in memory.
        build.memory = BuildMemory()
        let server = PreviewServer(options: .init(build: build, host: host, port: port, timings: timings, allowedHosts: allowedHosts),
                                   log: { Console.printError($0) })
        try await server.run { [host] port in
            let shown = host.contains(":") ? "[\(host)]" : host
            FileHandle.standardOutput.write(Data("Serving \(site.path) at http://\(shown):\(port)/ (Ctrl-C to stop)\n".utf8))
        }
    }

    /// On Ctrl-C or SIGTERM: removes the preview folder (with its staging folder and lock file) and exits.
    private static func removeOnStop(_ preview: URL) -> [any DispatchSourceSignal] {
        [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                let folder = preview.deletingLastPathComponent()
                for name in [preview.lastPathComponent, ".\(preview.lastPathComponent).staging", ".\(preview.lastPathComponent).lock"] {
                    try? FileManager.default.removeItem(at: folder.appending(path: name))
                }
                Glibc.exit(128 + number)
            }
            source.resume()
            return source
        }
    }
}

/// `bulletin import`: bulletins from PDF, Word, scanned and text files.
struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Turn historic bulletins (PDF, DOCX, scans, text) into bulletin files, marking what needs review.",
        discussion: "Uncertain values carry '# import: check — …' comments and are listed in the report. Exit status 2 when some files failed."
    )

    @Argument(help: "Files or folders of them: PDF (scanned pages are OCR'd), DOCX, page images, text (UTF-8 or GB18030/GBK).")
    var paths: [String] = []

    @Option(name: .long, help: "Folder the bulletins are written to.")
    var into: String = "content/bulletins"

    @Flag(name: .customLong("dry-run"), help: "Print the Markdown and the report without writing.")
    var dryRun = false

    @Flag(name: .long, help: "Overwrite existing files.")
    var force = false

    @Option(name: .long, help: "Series for texts whose masthead names none.")
    var series: String?

    @Flag(name: .customLong("keep-punctuation"), help: "Keep ASCII punctuation inside Chinese text.")
    var keepPunctuation = false

    @Option(name: .long, help: "The site whose content/site.yaml gives the default series and import_vocabulary, and whose bulletins' districts are places besides the gazetteer's.")
    var source: String = "."

    @Option(name: .customLong("time-limit"), help: "Processor seconds reading one PDF, DOCX or image may take.")
    var timeLimit = 300

    @Option(name: .customLong("memory-limit"), help: "Megabytes of memory reading one PDF, DOCX or image may take.")
    var memoryLimit = 2048

    @Option(name: .customLong("read-one"), help: .hidden)
    var readOne: String?

    func validate() throws {
        guard readOne != nil || !paths.isEmpty else { throw ValidationError("Name the files or folders to import.") }
        guard timeLimit > 0, memoryLimit >= 256 else { throw ValidationError("--time-limit must be positive and --memory-limit at least 256.") }
    }

    func run() throws {
        let limits = ImportBatch.FileLimits(seconds: timeLimit, megabytes: memoryLimit)
        if let readOne {
            do {
                FileHandle.standardOutput.write(Data(try ImportBatch.readOne(readOne, limits: limits)))
            } catch {
                Console.printError(error.description)
                throw ExitCode(1)
            }
            return
        }
        let config = SiteBuilder.siteConfig(URL(fileURLWithPath: source, isDirectory: true))
        let vocabulary = config.importVocabulary.map { (keywords: $0.keywords, unit: $0.unit, key: $0.key) }
        let outcome = ImportBatch.run(
            paths, into: URL(fileURLWithPath: into, isDirectory: true),
            options: ImportOptions(series: series ?? config.series, keepPunctuation: keepPunctuation, vocabulary: vocabulary,
                                   districts: SiteBuilder.districtsInUse(URL(fileURLWithPath: source, isDirectory: true))),
            dryRun: dryRun, force: force,
            isolation: .worker(executable: URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path, limits: limits))
        for markdown in outcome.printed { print(markdown) }
        for line in outcome.reports { Console.printError(line) }
        for failure in outcome.failures { Console.printError("error: \(failure)") }
        Console.printError("Imported \(dryRun ? outcome.printed.count : outcome.written.count) of \(outcome.printed.count + outcome.written.count + outcome.failures.count) files.")
        if !outcome.failures.isEmpty { throw ExitCode(2) }
    }
}

/// `bulletin render`: one bulletin as its plain-text edition, HTML page or print edition.
struct Render: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Render one bulletin as plain text, HTML or PDF.",
        discussion: """
            Uses the settings and templates of the site the file belongs to (the folder holding its content/). \
            Text and HTML go to standard output unless --output names a file; a PDF needs --output.
            """
    )

    @Argument(help: "The bulletin's Markdown file.")
    var file: String

    @Option(name: .long, help: "text (the plain-text edition), html (the bulletin page) or pdf (the print edition).")
    var format: BulletinRenderer.Format = .text

    @Option(name: .long, help: "The site folder (default: the folder above the file's content/).")
    var source: String?

    @Option(name: .long, help: "The file to write (default: standard output, for text and html).")
    var output: String?

    func validate() throws {
        if format == .pdf && output == nil { throw ValidationError("--format pdf needs --output FILE.pdf") }
    }

    func run() async throws {
        let file = URL(fileURLWithPath: file)
        let site = source.map { URL(fileURLWithPath: $0, isDirectory: true) }
        let bytes: [UInt8]?, diagnostics: [Diagnostic]
        if format == .pdf {
            (bytes, diagnostics) = await BulletinRenderer.renderPDF(file: file, site: site)
        } else {
            let result = BulletinRenderer.render(file: file, format: format, site: site)
            (bytes, diagnostics) = (result.output.map { Array($0.utf8) }, result.diagnostics)
        }
        for diagnostic in diagnostics { Console.printError(diagnostic.rendered) }
        guard let bytes else { throw ExitCode.failure }
        if let output {
            try Data(bytes).write(to: URL(fileURLWithPath: output))
        } else {
            FileHandle.standardOutput.write(Data(bytes))
        }
    }
}

extension BulletinRenderer.Format: ExpressibleByArgument {}

/// A one-line progress bar on standard error, shown only when a build runs longer than a second on a terminal.
final class ProgressBar: Sendable {
    private let enabled: Bool
    private let start = ContinuousClock.now
    /// Whether a bar was drawn; its lock also keeps two workers from drawing at once.
    private let shown = LockedValue(false)

    init(enabled: Bool) { self.enabled = enabled }

    func show(_ progress: BuildProgress) {
        guard enabled, ContinuousClock.now - start > .seconds(1) else { return }
        let width = 30
        let filled = progress.total == 0 ? width : width * progress.done / progress.total
        let line = "\r[" + String(repeating: "#", count: filled) + String(repeating: " ", count: width - filled) + "] "
            + "\(progress.stage) \(progress.done)/\(progress.total)\u{1B}[K"
        shown.update { shown in
            shown = true
            FileHandle.standardError.write(Data(line.utf8))
        }
    }

    func clear() {
        shown.update { shown in
            if shown { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        }
    }
}

enum Console {
    static func printError(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}
