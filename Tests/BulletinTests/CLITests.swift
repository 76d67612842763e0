import Foundation
import Testing

/// Runs the built `bulletin` executable, as users and CI do.
@Suite struct CLITests {
    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static var executable: URL {
        let candidates = [
            Bundle.main.executableURL?.deletingLastPathComponent(),
            Bundle.main.bundleURL.deletingLastPathComponent(),
            repositoryRoot.appending(path: ".build/debug"),
        ].compactMap { $0 }
        for directory in candidates {
            let url = directory.appending(path: "bulletin")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return repositoryRoot.appending(path: ".build/debug/bulletin")
    }

    /// Runs the built `bulletin` with `arguments`, in `directory`, with `environment` added to this process's.
    static func run(_ arguments: [String], in directory: URL? = nil, environment: [String: String] = [:]) throws -> Run {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                   stderr: String(decoding: stderr, as: UTF8.self))
    }

    /// A copy of a committed fixture site in a temporary folder.
    static func fixture(_ name: String) throws -> TemporarySite {
        let site = try TemporarySite()
        try FileManager.default.createDirectory(at: site.root.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: repositoryRoot.appending(path: "Tests/BulletinTests/Fixtures/\(name)"), to: site.root)
        return site
    }

    @Test(arguments: [SIGINT, SIGTERM])
    func serveRemovesItsPreviewFolderWhenStopped(signal number: Int32) throws {
        let site = try Self.fixture("archive")
        defer { site.remove() }
        let process = Process()
        process.executableURL = Self.executable
        process.arguments = ["serve", "--source", site.root.path, "--port", "0"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let preview = FileManager.default.temporaryDirectory.appending(path: "bulletin-serve-\(process.processIdentifier)")
        let line = String(decoding: out.fileHandleForReading.availableData, as: UTF8.self)
        #expect(line.hasPrefix("Serving "), "\(line)")
        #expect(FileManager.default.fileExists(atPath: preview.appending(path: "index.html").path))
        kill(process.processIdentifier, number)
        process.waitUntilExit()
        #expect(process.terminationStatus == 128 + number)
        #expect(!FileManager.default.fileExists(atPath: preview.path), "the preview folder is removed")
        for leftover in ["lock", "staging"] {
            #expect(!FileManager.default.fileExists(atPath: preview.deletingLastPathComponent()
                .appending(path: ".\(preview.lastPathComponent).\(leftover)").path), "its \(leftover) is removed")
        }
    }

    @Test func serveAnswersANameGivenWithAllowedHostAndRefusesOthers() throws {
        let site = try Self.fixture("archive")
        defer { site.remove() }
        let process = Process()
        process.executableURL = Self.executable
        process.arguments = ["serve", "--source", site.root.path, "--port", "0", "--allowed-host", "preview.example",
                             "--allowed-host", "192.168.1.5"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer {
            kill(process.processIdentifier, SIGTERM)
            process.waitUntilExit()
        }
        let line = String(decoding: out.fileHandleForReading.availableData, as: UTF8.self)
        let port = try #require(line.split(separator: ":").last.flatMap { UInt16($0.prefix { $0.isNumber }) }, "\(line)")
        for host in ["preview.example:\(port)", "192.168.1.5", "localhost:\(port)"] {
            #expect(try RawHTTP.get(port: port, path: "/", host: host).status == 200, "Host \(host)")
        }
        let refused = try RawHTTP.get(port: port, path: "/", host: "evil.example")
        #expect(refused.status == 403)
        #expect(refused.body.contains("bulletin serve --allowed-host NAME"))
    }

    @Test func serveRejectsAnAllowedHostThatIsNoHostName() throws {
        let run = try Self.run(["serve", "--allowed-host", "http://preview.example/", "--port", "0"])
        #expect(run.status == 64)
        #expect(run.stderr.contains("--allowed-host 'http://preview.example/' is not a host name or address"), "\(run.stderr)")
    }

    @Test func buildsTheFixtureArchive() throws {
        let site = try Self.fixture("archive")
        defer { site.remove() }
        let run = try Self.run(["build", "--source", site.root.path])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.isEmpty)
        #expect(run.stdout.hasPrefix("Built 4 bulletins: 29 pages, 4 text editions, 8 data files, 5 search index files and 4 static files in "))
        #expect(run.stdout.hasSuffix(" s.\n"))
        let page = try site.read("bulletins/2023/102/index.html")
        #expect(page.contains("<link rel=\"canonical\" href=\"https://bulletins.example.org/bulletins/2023/102/\">"))
        #expect(page.contains("较上年增长<strong>“两成”</strong>以上"))
        #expect(page.contains("<data value=\"10200000\">1020万</data>小时"))
        #expect(!FileManager.default.fileExists(atPath: site.output.appending(path: "bulletins/2024/105").path))
    }

    @Test func aSecondBuildKeepsWhatDidNotChangeAndNoCacheKeepsNothing() throws {
        let site = try Self.fixture("archive")
        defer { site.remove() }
        let cache = site.root.appending(path: ".bulletin-cache")
        #expect(try Self.run(["build", "--source", site.root.path]).status == 0)
        #expect(FileManager.default.fileExists(atPath: cache.path))
        let again = try Self.run(["build", "--source", site.root.path, "--timings"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains("from the build cache: 5 bulletins decoded before, 46 output files unchanged"), "the draft too: \(again.stdout)")
        #expect(again.stdout.contains("search index (kept): 5 files"))
        #expect(again.stdout.hasSuffix(" s (46 unchanged files kept from the previous build).\n"))
        #expect(!again.stdout.contains("of workers' time"), "nothing was rendered, so no kind of page is timed: \(again.stdout)")

        try FileManager.default.removeItem(at: cache)
        let clean = try Self.run(["build", "--source", site.root.path, "--no-cache", "--timings"])
        #expect(clean.status == 0, "\(clean.stderr)")
        #expect(clean.stdout.contains("from the build cache: 0 bulletins decoded before, 0 output files unchanged"))
        // Every page rendered, by kind, below the rendering stage (the draft is not built).
        let kinds = clean.stdout.split(separator: "\n").drop { !$0.hasPrefix("  render and write pages: ") }.dropFirst()
            .prefix { $0.hasPrefix("    ") }.map { $0.trimmingCharacters(in: .whitespaces).components(separatedBy: " in ")[0] }
        #expect(Set(kinds) == ["bulletin pages: 4", "text editions: 4", "home pages: 2", "year pages: 3", "archive page: 1",
                                "taxonomy pages: 2", "term pages: 7", "stats page: 1", "stat pages: 2", "exemplar index: 1",
                                "exemplar pages: 4", "search page: 1", "feed: 1", "sitemap: 1", "404 page: 1", "data files: 4", "stat value files: 2"],
                "\(clean.stdout)")
        #expect(!FileManager.default.fileExists(atPath: cache.path), "--no-cache writes no cache")
    }

    @Test func draftsFlagAndDestination() throws {
        let site = try Self.fixture("archive")
        defer { site.remove() }
        let destination = site.root.appending(path: "public")
        let run = try Self.run(["build", "--drafts", "--destination", destination.path, "--base-url", "https://x.example/site"], in: site.root)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.hasPrefix("Built 5 bulletins"))
        let page = try site.read("bulletins/2024/105/index.html", in: destination)
        #expect(page.contains("href=\"https://x.example/site/bulletins/2024/105/\""))
    }

    @Test func brokenSiteExitsWithStatusOneAndCompilerStyleDiagnostics() throws {
        let site = try Self.fixture("archive")
        defer { site.remove() }
        #expect(try Self.run(["build", "--source", site.root.path]).status == 0)
        let before = TemporarySite.snapshot(site.output)
        try site.write("---\ntitle：坏掉的一期\nissue: 3\ndate: 2024-02-30\n---\n", to: "content/bulletins/2024/106.md")
        let run = try Self.run(["build", "--source", site.root.path])
        #expect(run.status == 1)
        #expect(run.stdout.isEmpty)
        #expect(run.stderr == """
            content/bulletins/2024/106.md:2:6: error: full-width colon '：' after key 'title'; write an ASCII colon and a space, as in 'title: …' (键名后请使用半角冒号“:”并加空格)
                title：坏掉的一期
                     ^
            Build failed with 1 error; the previous output is unchanged.

            """)
        #expect(TemporarySite.snapshot(site.output) == before)
    }

    @Test func renderPrintsTheTextEditionAndThePage() throws {
        let file = repositoryRoot.appending(path: "content/bulletins/2017/305.md")
        let text = try Self.run(["render", file.path])
        #expect(text.status == 0)
        #expect(text.stdout == (try String(contentsOf: repositoryRoot.appending(path: "Tests/BulletinTests/Golden/305.txt"), encoding: .utf8)))
        let html = try Self.run(["render", "--format", "html", file.path])
        #expect(html.status == 0)
        #expect(html.stdout.hasPrefix("<!DOCTYPE html>"))
        #expect(html.stdout.contains("<h1 class=\"bulletin-title\">坚持“四化”标准 努力打造志愿服务的铁军排头兵</h1>"))
    }

    @Test func renderUsesTheSiteOfTheFileAndReportsErrors() throws {
        let site = try Self.fixture("archive")
        defer { site.remove() }
        try site.write("---\ntitle: 坏\nissue: 一\ndate: 2024-01-01\n---\n", to: "content/bulletins/2024/bad.md")
        let run = try Self.run(["render", site.root.appending(path: "content/bulletins/2024/bad.md").path])
        #expect(run.status == 1)
        #expect(run.stdout.isEmpty)
        #expect(run.stderr.hasPrefix("content/bulletins/2024/bad.md:3:8: error: 'issue' must be a whole number"))
        let good = try Self.run(["render", "--format", "text", site.root.appending(path: "content/bulletins/2023/102.md").path])
        #expect(good.stdout.hasPrefix("              示例市精神文明建设·信息交流\n"))
    }

    @Test func unknownOptionIsAUsageError() throws {
        let run = try Self.run(["build", "--no-such-option"])
        #expect(run.status == 64)
        #expect(run.stderr.contains("Unknown option '--no-such-option'"))
    }
}
