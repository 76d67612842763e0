import BulletinFuzzing
import BulletinMarkdown
import BulletinModel
@testable import BulletinSite
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Hostile and broken input: each ends in a clear diagnostic or a correct site, never a hang, a crash or a write
/// outside the output folder.
@Suite struct HostileMarkdownTests {
    private func diagnostics(body: String) async throws -> [String] {
        let site = try TemporarySite(["content/site.yaml": defaultSiteYAML, "content/a.md": bulletinFile(body: body)])
        defer { site.remove() }
        let report = await site.build()
        #expect(!report.succeeded)
        return report.diagnostics.map(\.description)
    }

    @Test func repeatedImageBracketsCVE2023_22486() async throws {
        #expect(try await diagnostics(body: String(repeating: "![[]()", count: 50_000) + "\n") == [
            "content/a.md:7:1: error: more than 256 unclosed '[' in one paragraph; no bulletin needs this, and it would make the Markdown parser slow",
        ])
    }

    @Test func repeatedCommentOpenersCVE2023_22484() async throws {
        #expect(try await diagnostics(body: String(repeating: "<!--", count: 50_000) + "\n") == [
            "content/a.md:7:1: error: more than 64 unclosed '<!--'; no bulletin needs this, and it would make the Markdown parser slow",
        ])
    }

    @Test func deepQuotesWithEmphasisCVE2023_24824() async throws {
        let body = String(repeating: "> ", count: 25_000) + "*a* **b**\n"
        #expect(try await diagnostics(body: body) == [
            "content/a.md:7:1: error: Markdown nested 25000 levels deep (block quotes and lists; at most 32); no bulletin needs this, and it would make the Markdown parser slow",
        ])
    }

    @Test func listsNestedByIndentationOverBlankLines() async throws {
        let body = (0..<200).map { String(repeating: " ", count: $0 * 2) + "- item\n\n" }.joined()
        let result = try await diagnostics(body: body)
        #expect(result.count == 1)
        #expect(result[0].hasPrefix("content/a.md:"))
        #expect(result[0].contains("error: Markdown nested 33 levels deep"))
    }

    @Test func realBulletinsNeverTripTheGuard() throws {
        for path in ["content/bulletins/2017/305.md"] {
            let text = try String(contentsOf: repositoryRoot.appending(path: path), encoding: .utf8)
            #expect(MarkdownGuard.check(text, source: SourceText(path: path, text: text), firstLine: 1).isEmpty)
        }
    }

    @Test func ourOwnTreeWalksDoNotRecurseOnDeepInput() {
        let markdown = String(repeating: ">", count: 25_000) + " deep\n"
        let rendered = MarkdownRenderer.render(markdown, source: SourceText(path: "a.md", text: markdown), firstLine: 1)
        #expect(rendered.plainText == "deep")
        #expect(rendered.textBlocks.first?.containers.count == 25_000)
    }
}

@Suite struct PathSafetyTests {
    @Test func hostileTermsAndNamesStayInsideTheOutput() async throws {
        let site = try TemporarySite([
            "content/site.yaml": defaultSiteYAML,
            "content/a.md": bulletinFile(extra: """
                tags: ["../../etc", "%2e%2e%2f", "..\\\\", "/absolute", "a\\0b", "\(String(repeating: "志", count: 120))"]
                exemplars:
                  - name: ../../outside
                    kind: person
                    honor: 标兵
                """),
        ])
        defer { site.remove() }
        let report = await site.build()
        #expect(report.succeeded, "\(report.diagnostics)")
        let outside = try FileManager.default.contentsOfDirectory(atPath: site.root.deletingLastPathComponent().path)
            .filter { $0 == "etc" || $0 == "outside" || $0 == "absolute" }
        #expect(outside.isEmpty)
        for path in TemporarySite.snapshot(site.output).keys {
            #expect(!path.split(separator: "/").contains(".."), "\(path)")
            #expect(path.split(separator: "/").allSatisfy { $0.utf8.count <= 255 })
        }
    }

    @Test func thePublisherRefusesPathsThatLeaveTheStagingFolder() throws {
        let site = try TemporarySite()
        defer { site.remove() }
        let publisher = OutputPublisher(destination: site.output)
        try publisher.prepareStaging()
        for path in ["../escape.html", "/etc/passwd", "a/../../b", "a\0b", "..\\x"] {
            #expect(throws: PublishError.self) { try publisher.write(Array("x".utf8), to: path) }
        }
        publisher.discardStaging()
    }

    @Test func symbolicLinksOutOfTheSiteOrLoopingAreSkippedWithAWarning() async throws {
        let site = try TemporarySite(["content/site.yaml": defaultSiteYAML, "content/a.md": bulletinFile(issue: 1)])
        defer { site.remove() }
        let outside = site.root.deletingLastPathComponent().appending(path: "outside-\(UUID().uuidString).md")
        try Data(bulletinFile(title: "外部", issue: 2).utf8).write(to: outside)
        defer { try? FileManager.default.removeItem(at: outside) }
        let manager = FileManager.default
        try manager.createSymbolicLink(at: site.root.appending(path: "content/outside.md"), withDestinationURL: outside)
        try manager.createSymbolicLink(atPath: site.root.appending(path: "content/loop.md").path, withDestinationPath: "loop.md")
        try manager.createSymbolicLink(at: site.root.appending(path: "content/inside.md"), withDestinationURL: site.root.appending(path: "content/a.md"))
        let report = await site.build()
        #expect(report.diagnostics.map(\.description).contains("content/outside.md:1:1: warning: symbolic link skipped: it points outside the site"))
        #expect(report.diagnostics.map(\.description).contains("content/loop.md:1:1: warning: symbolic link skipped: it is dangling or loops"))
        #expect(!TemporarySite.snapshot(site.output).values.contains { String(decoding: $0, as: UTF8.self).contains("外部") })
    }
}

/// Spreadsheet formula injection (OWASP "CSV Injection") through the CSV files the build writes, on the hostile
/// fixture: an exemplar named `=HYPERLINK(…)`, a stat labelled `@SUM(…)`, and a negative value.
@Suite struct FormulaInjectionTests {
    /// Every CSV file of the built hostile fixture, by path below the output, as rows of fields.
    private func builtCSVFiles() async throws -> [String: [[String]]] {
        let site = try CLITests.fixture("hostile")
        defer { site.remove() }
        let report = await site.build()
        #expect(report.succeeded, "\(report.diagnostics)")
        return TemporarySite.snapshot(site.output).filter { $0.key.hasSuffix(".csv") }
            .mapValues { CSVReader.rows(String(decoding: $0, as: UTF8.self)) }
    }

    @Test func noCellOfAnyCSVStartsAFormulaAndNumbersStayNumbers() async throws {
        let files = try await builtCSVFiles()
        #expect(Set(files.keys) == ["data/stats.csv", "data/exemplars.csv", "stats/formula_label/values.csv", "stats/change_rate/values.csv"])
        let number = try Regex("-?[0-9]+(\\.[0-9]+)?")
        for (path, rows) in files {
            for row in rows {
                for field in row where field.unicodeScalars.first.map("=+-@\t\r".unicodeScalars.contains) == true {
                    #expect(field.wholeMatch(of: number) != nil, "\(path): the cell \(field.debugDescription) would run as a formula")
                }
            }
        }
        let stats = try #require(files["data/stats.csv"]), header = try #require(stats.first)
        let label = try #require(header.firstIndex(of: "label")), value = try #require(header.firstIndex(of: "value"))
        let scope = try #require(header.firstIndex(of: "scope"))
        #expect(stats.dropFirst().map { [$0[label], $0[value], $0[scope]] } == [
            ["'@SUM(1+1)*cmd|' /C calc'!A0", "3", ""],
            ["变化率", "-0.5", "'-2+3"],
        ])
        let values = try #require(files["stats/change_rate/values.csv"])
        #expect(values.dropFirst().map { [$0[1], $0[2], $0[4]] } == [["'-2+3", "-0.5", "变化率"]], "scope, value and label of a key's values")
        let formulaValues = try #require(files["stats/formula_label/values.csv"])
        #expect(formulaValues.dropFirst().map(\.[4]) == ["'@SUM(1+1)*cmd|' /C calc'!A0"])
        let exemplars = try #require(files["data/exemplars.csv"]), columns = try #require(exemplars.first)
        let name = try #require(columns.firstIndex(of: "name")), honor = try #require(columns.firstIndex(of: "honor"))
        #expect(exemplars.dropFirst().map { [$0[name], $0[honor]] } == [["'=HYPERLINK(\"http://x\",\"点击\")", "'+1 先进个人"]])
    }
}

/// A reader of the CSV the build writes (RFC 4180, `\n` line ends), for the tests.
enum CSVReader {
    static func rows(_ text: String) -> [[String]] {
        var rows: [[String]] = [], row: [String] = [], field = "", quoted = false
        var characters = Array(text.unicodeScalars)[...]
        while let character = characters.popFirst() {
            if quoted {
                if character == "\"" {
                    if characters.first == "\"" { field.unicodeScalars.append(characters.removeFirst()) } else { quoted = false }
                } else {
                    field.unicodeScalars.append(character)
                }
            } else if character == "\"" {
                quoted = true
            } else if character == "," {
                row.append(field)
                field = ""
            } else if character == "\n" {
                row.append(field)
                rows.append(row)
                row = []
                field = ""
            } else {
                field.unicodeScalars.append(character)
            }
        }
        return rows
    }
}

/// The Content-Security-Policy `<meta>` of every page (the browser side is checked in headless Chromium by
/// scripts/browser_check.py).
@Suite struct ContentSecurityPolicyTests {
    /// The HTML files of a built site, by path.
    private func pages(_ folder: URL) -> [String: String] {
        TemporarySite.snapshot(folder).filter { $0.key.hasSuffix(".html") }.mapValues { String(decoding: $0, as: UTF8.self) }
    }

    @Test func theDefaultLayoutCarriesThePolicyFirstInTheHead() throws {
        let layout = try String(contentsOf: repositoryRoot.appending(path: "templates/layout.mustache"), encoding: .utf8)
        #expect(layout.contains("<head>\n<meta charset=\"utf-8\">\n\(ContentSecurityPolicy.meta)\n"))
    }

    @Test(arguments: ["sample", "archive"])
    func everyPageCarriesThePolicyAndNeedsNothingItForbids(site name: String) async throws {
        let site = name == "sample" ? try TemporarySite() : try CLITests.fixture(name)
        defer { site.remove() }
        let report = await SiteBuilder.build(BuildOptions(source: name == "sample" ? repositoryRoot : site.root, destination: site.output,
                                                          includeDrafts: true))
        #expect(report.succeeded)
        let pages = pages(site.output)
        #expect(pages.count > 20)
        for (path, html) in pages {
            #expect(html.components(separatedBy: ContentSecurityPolicy.meta).count == 2, "\(path): the policy once")
            let policy = try #require(html.range(of: ContentSecurityPolicy.meta), "\(path)")
            #expect(policy.lowerBound < html.range(of: "<title>")?.lowerBound ?? html.startIndex, "\(path): before the title")
            #expect(try ServerTests.inlineScriptsAndStyles(html).isEmpty, "\(path): inline script or style the policy blocks")
            #expect(!html.contains("src=\"http") && !html.contains("src=\"//"), "\(path): loads nothing from elsewhere")
        }
    }

    /// With `unsafe_html: true` the script stays in the page (the browser check sees the policy refuse it).
    @Test func anUnsafeHTMLBulletinKeepsItsScriptBelowThePolicy() async throws {
        let site = try CLITests.fixture("hostile")
        defer { site.remove() }
        #expect(await site.build().succeeded)
        let page = try site.read("bulletins/2024/1/index.html")
        let script = try #require(page.range(of: "<script>document.title='pwned'</script>"))
        #expect(try #require(page.range(of: ContentSecurityPolicy.meta)).upperBound < script.lowerBound)
    }
}

/// Interrupted and concurrent builds, with real processes.
@Suite(.serialized) struct InterruptionTests {
    /// A site big enough that a build takes a while in a debug binary.
    private func largeSite(count: Int, title: String) throws -> TemporarySite {
        var files = ["content/site.yaml": defaultSiteYAML]
        let body = String(repeating: "## 一、标题\n\n" + String(repeating: "志愿服务**“小青荷”**常态化，27093户家庭。", count: 30) + "\n\n", count: 4)
        for index in 1...count {
            files["content/b\(index).md"] = bulletinFile(title: "\(title)\(index)", issue: index, serial: index, date: "2017-03-07", body: body)
        }
        return try TemporarySite(files)
    }

    private func launch(_ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = CLITests.executable
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    @Test(arguments: [SIGKILL, SIGINT])
    func aKilledBuildLeavesThePreviousSiteWhole(signal: Int32) async throws {
        let site = try largeSite(count: 300, title: "旧")
        defer { site.remove() }
        #expect(try CLITests.run(["build", "--source", site.root.path]).status == 0)
        let before = TemporarySite.snapshot(site.output)
        for index in 1...300 {
            try site.write(bulletinFile(title: "新\(index)", issue: index, serial: index, date: "2017-03-07"), to: "content/b\(index).md")
        }
        let process = try launch(["build", "--source", site.root.path, "--jobs", "1"])
        try await Task.sleep(for: .milliseconds(300))
        kill(process.processIdentifier, signal)
        process.waitUntilExit()
        let after = TemporarySite.snapshot(site.output)
        let complete = after == before || after.keys.contains("bulletins/2017/300/index.html")
            && String(decoding: after["bulletins/2017/300/index.html"]!, as: UTF8.self).contains("新300")
        #expect(complete, "the output is the old site or the whole new one, never a mix")
        #expect(try CLITests.run(["build", "--source", site.root.path]).status == 0)
        #expect(!FileManager.default.fileExists(atPath: site.root.appending(path: ".output.staging").path), "leftover staging cleaned")
        #expect(String(decoding: TemporarySite.snapshot(site.output)["bulletins/2017/1/index.html"]!, as: UTF8.self).contains("新1"))
    }

    @Test func twoBuildsIntoOneOutputTakeTurns() async throws {
        let site = try largeSite(count: 120, title: "并发")
        defer { site.remove() }
        let first = try launch(["build", "--source", site.root.path])
        let second = try launch(["build", "--source", site.root.path])
        first.waitUntilExit()
        second.waitUntilExit()
        #expect(first.terminationStatus == 0 && second.terminationStatus == 0)
        #expect(TemporarySite.snapshot(site.output).count > 240)
        #expect(try CLITests.run(["check", "--source", site.root.path, "--links"]).status == 0)
    }

    @Test func anUnwritableDestinationFailsWithoutDamage() async throws {
        let site = try TemporarySite(["content/site.yaml": defaultSiteYAML, "content/a.md": bulletinFile()])
        defer { site.remove() }
        try site.write("not a folder", to: "blocker")
        let run = try CLITests.run(["build", "--source", site.root.path, "--destination", site.root.appending(path: "blocker/site").path])
        #expect(run.status == 1)
        #expect(run.stderr.contains("error: cannot write the site to"))
        #expect(try String(contentsOf: site.root.appending(path: "blocker"), encoding: .utf8) == "not a folder")
    }
}

/// Inputs the fuzzers found (and tricky seeds), replayed through the same code the fuzz targets run.
@Suite struct FuzzRegressionTests {
    @Test(arguments: ["FuzzFrontMatter", "FuzzRender", "FuzzTable", "FuzzImport", "FuzzDOCX", "FuzzPaths", "FuzzServerPath"])
    func replay(target: String) throws {
        let folder = repositoryRoot.appending(path: "Tests/BulletinTests/Fixtures/fuzz/\(target)")
        let inputs = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        #expect(!inputs.isEmpty, "no regression inputs for \(target)")
        for name in inputs.sorted() {
            let bytes = Array(try Data(contentsOf: folder.appending(path: name)))
            switch target {
            case "FuzzFrontMatter": FuzzTargets.frontMatter(bytes)
            case "FuzzRender": FuzzTargets.render(bytes)
            case "FuzzTable": FuzzTargets.table(bytes)
            case "FuzzImport": FuzzTargets.importer(bytes)
            case "FuzzDOCX": FuzzTargets.docx(bytes)
            case "FuzzPaths": FuzzTargets.paths(bytes)
            default: FuzzTargets.serverPath(bytes, root: FuzzTargets.servedRoot)
            }
        }
    }
}
