import ArgumentParser
import BulletinModel
import BulletinSite
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
        subcommands: [Build.self, Check.self, Render.self],
        defaultSubcommand: nil
    )

    public init() {}

    /// Runs the command line of this process and exits.
    public static func runMain() async {
        await main()
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

    @Option(name: .long, help: "The site folder, holding content/ and optionally templates/.")
    var source: String = "."

    @Option(name: .long, help: "Where to write the site (default: SOURCE/output).")
    var destination: String?

    @Flag(name: .long, help: "Include bulletins marked 'draft: true'.")
    var drafts = false

    @Option(name: .customLong("base-url"), help: "Absolute URL the site is published at (overrides site.yaml base_url).")
    var baseURL: String?

    @Option(name: .long, help: "Concurrent workers (default: the number of cores).")
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    func run() async throws {
        let sourceURL = URL(fileURLWithPath: source, isDirectory: true).standardizedFileURL
        let options = BuildOptions(
            source: sourceURL,
            destination: destination.map { URL(fileURLWithPath: $0, isDirectory: true).standardizedFileURL },
            includeDrafts: drafts, baseURL: baseURL, jobs: jobs)
        let report = await SiteBuilder.build(options) {
            Console.printError("waiting for another build of \(options.resolvedDestination.path) to finish…")
        }
        for diagnostic in report.diagnostics { Console.printError(diagnostic.rendered) }
        if report.succeeded {
            print(report.summary)
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

    @Option(name: .long, help: "The site folder, holding content/ and optionally templates/.")
    var source: String = "."

    @Option(name: .long, help: "text (compiler style), json (one object a line) or github (workflow annotations).")
    var format: Format = .text

    @Flag(name: .long, help: "Treat warnings as errors.")
    var strict = false

    @Flag(name: .long, help: "Check bulletins marked 'draft: true' too.")
    var drafts = false

    @Option(name: .customLong("base-url"), help: "Absolute URL the site is published at (overrides site.yaml base_url).")
    var baseURL: String?

    @Flag(name: .long, help: "Also check every link of the built site in --destination.")
    var links = false

    @Option(name: .long, help: "The built site whose links --links checks (default: SOURCE/output).")
    var destination: String?

    func run() async throws {
        let sourceURL = URL(fileURLWithPath: source, isDirectory: true).standardizedFileURL
        let options = BuildOptions(
            source: sourceURL, destination: destination.map { URL(fileURLWithPath: $0, isDirectory: true).standardizedFileURL },
            includeDrafts: drafts, baseURL: baseURL)
        var diagnostics = await SiteBuilder.check(options)
        if links {
            let output = options.resolvedDestination
            if FileManager.default.fileExists(atPath: output.appending(path: "index.html").path) {
                let prefix = destination == nil ? "output/" : output.path + "/"
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

/// `bulletin render`: prints one bulletin as its plain-text edition or HTML page.
struct Render: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print one bulletin to standard output as plain text or HTML.",
        discussion: "Uses the settings and templates of the site the file belongs to (the folder holding its content/)."
    )

    @Argument(help: "The bulletin's Markdown file.")
    var file: String

    @Option(name: .long, help: "text (the plain-text edition) or html (the bulletin page).")
    var format: BulletinRenderer.Format = .text

    @Option(name: .long, help: "The site folder (default: the folder above the file's content/).")
    var source: String?

    func run() throws {
        let result = BulletinRenderer.render(
            file: URL(fileURLWithPath: file), format: format,
            site: source.map { URL(fileURLWithPath: $0, isDirectory: true) })
        for diagnostic in result.diagnostics { Console.printError(diagnostic.rendered) }
        guard let output = result.output else { throw ExitCode.failure }
        FileHandle.standardOutput.write(Data(output.utf8))
    }
}

extension BulletinRenderer.Format: ExpressibleByArgument {}

enum Console {
    static func printError(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}
