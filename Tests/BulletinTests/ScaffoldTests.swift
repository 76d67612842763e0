import Foundation
import Testing

@Suite struct NewAndInitTests {
    @Test func newNumbersAfterTheLatestAndStartsAgainInANewYear() throws {
        let site = try CLITests.fixture("archive")
        defer { site.remove() }
        let sameYear = try CLITests.run(["new", "--source", site.root.path, "--date", "2024-06-01", "--title", "年中一期"])
        #expect(sameYear.status == 0, "\(sameYear.stderr)")
        #expect(sameYear.stdout == "content/bulletins/2024/106.md\n", "serial after the draft 105, issue 3 after the draft's 2")
        let text = try site.read("content/bulletins/2024/106.md", in: site.root)
        #expect(text.contains("title: 年中一期\n"))
        #expect(text.contains("issue: 3 "))
        #expect(text.contains("serial: 106 "))
        #expect(text.contains("## 一、"))
        let newYear = try CLITests.run(["new", "--source", site.root.path, "--date", "2025-01-10"])
        #expect(newYear.stdout == "content/bulletins/2025/107.md\n")
        #expect(try site.read("content/bulletins/2025/107.md", in: site.root).contains("issue: 1 "))
        #expect(try CLITests.run(["build", "--source", site.root.path, "--drafts"]).status == 0, "new files build at once")
    }

    @Test func newTakesASeriesBySlugOnASiteOfSeveral() throws {
        let site = try CLITests.fixture("rich")
        defer { site.remove() }
        let run = try CLITests.run(["new", "--source", site.root.path, "--series", "cwjb", "--date", "2017-04-01"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout == "content/cwjb/2017/306.md\n", "serial 306 after the series' own 305")
        let text = try site.read("content/cwjb/2017/306.md", in: site.root)
        #expect(text.contains("series: 创文工作简报\n") && text.contains("issue: 6 ") && !text.contains("publishers:"))
        let unknown = try CLITests.run(["new", "--source", site.root.path, "--series", "gzjb"])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("--series 'gzjb' is not one of the series in content/site.yaml: 杭州精神文明建设·信息交流 (xxjl), 创文工作简报 (cwjb)"))
        #expect(try CLITests.run(["build", "--source", site.root.path]).status == 0, "the new file builds at once")
    }

    @Test func newNeverOverwrites() throws {
        let site = try CLITests.fixture("archive")
        defer { site.remove() }
        let existing = bulletinFile(title: "已有", issue: 5, serial: 99, date: "2025-01-01")
        try site.write(existing, to: "content/bulletins/2025/106.md")
        let run = try CLITests.run(["new", "--source", site.root.path, "--date", "2025-02-01"])
        #expect(run.status == 1)
        #expect(run.stderr.contains("content/bulletins/2025/106.md already exists; bulletin new never overwrites a file"))
        #expect(try site.read("content/bulletins/2025/106.md", in: site.root) == existing)
    }

    @Test func newRejectsAnImpossibleDate() throws {
        let run = try CLITests.run(["new", "--date", "2024-02-30"])
        #expect(run.status == 64)
        #expect(run.stderr.contains("--date must be a calendar date written YYYY-MM-DD, found '2024-02-30'"))
    }

    @Test func initCreatesASiteThatBuildsAtOnce() throws {
        let folder = FileManager.default.temporaryDirectory.appending(path: "bulletin-init-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try CLITests.run(["init", folder.path, "--with-templates"])
        #expect(run.status == 0, "\(run.stderr)")
        for path in ["content/site.yaml", ".gitignore", "templates/layout.mustache", "templates/static/style.css"] {
            #expect(FileManager.default.fileExists(atPath: folder.appending(path: path).path), "\(path) missing")
        }
        let build = try CLITests.run(["build", "--source", folder.path])
        #expect(build.status == 0, "\(build.stderr)")
        #expect(build.stdout.hasPrefix("Built 1 bulletin: "))
        #expect(try CLITests.run(["init", folder.path]).status == 1, "init refuses an existing site")
    }
}
