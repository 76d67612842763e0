import ArgumentParser
import BulletinModel
import BulletinSite
import Foundation

/// The `bulletin` command line.
@available(macOS 10.15, *)
public struct BulletinCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "bulletin",
        abstract: "Builds websites and plain-text editions of civilization bulletins (精神文明建设·信息交流).",
        subcommands: [Build.self, Render.self],
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
