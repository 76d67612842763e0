import BulletinModel
import BulletinSite
import Foundation
import Testing

@Suite struct SampleSiteTests {
    /// Builds the repository's sample site (content/ and templates/) into a temporary folder.
    private func buildSample(jobs: Int = 2) async throws -> (report: BuildReport, output: URL) {
        let output = FileManager.default.temporaryDirectory.appending(path: "bulletin-sample-\(UUID().uuidString)")
        let report = await SiteBuilder.build(BuildOptions(source: repositoryRoot, destination: output, jobs: jobs))
        return (report, output)
    }

    @Test func bulletinPageMatchesGolden() async throws {
        let (report, output) = try await buildSample()
        defer { try? FileManager.default.removeItem(at: output) }
        #expect(report.succeeded, "\(report.diagnostics)")
        #expect(report.diagnostics.isEmpty)
        let page = try String(contentsOf: output.appending(path: "bulletins/2017/305/index.html"), encoding: .utf8)
        try expectGolden(page, "305.html")
    }

    @Test func homePageMatchesGolden() async throws {
        let (_, output) = try await buildSample()
        defer { try? FileManager.default.removeItem(at: output) }
        try expectGolden(try String(contentsOf: output.appending(path: "index.html"), encoding: .utf8), "home.html")
    }

    @Test func everyFigureAndExemplarOfThe305IssueIsOnItsPage() async throws {
        let (_, output) = try await buildSample()
        defer { try? FileManager.default.removeItem(at: output) }
        let page = try String(contentsOf: output.appending(path: "bulletins/2017/305/index.html"), encoding: .utf8)
        for figure in ["27,093", "75,908", "989,258.5", "19.4万", "4,021", "122", "25,000", "5万", "220", "500"] {
            #expect(page.contains("\">\(figure)</data>"), "stat \(figure) missing")
        }
        for name in ["杭州西湖志愿者服务总队", "公羊会公益救援促进会", "G20峰会“小青荷”志愿服务项目",
                     "萧山区北干街道北干一苑社区", "江干区九堡街道兴安社区", "施志平"] {
            #expect(page.contains("class=\"exemplar-name\" href=\"../../../exemplars/"), "exemplar links missing")
            #expect(page.contains("/\">\(name)</a>"), "exemplar \(name) missing")
        }
        #expect(page.contains("第1期（总第305期）"))
        #expect(page.contains("<time datetime=\"2017-03-07\">2017年3月7日</time>"))
        #expect(page.contains("<span class=\"banji-label\">报：</span>省文明办"))
    }

    @Test func buildsAreByteIdenticalWhateverTheJobCount() async throws {
        let (first, one) = try await buildSample(jobs: 1)
        let (second, four) = try await buildSample(jobs: 4)
        defer {
            try? FileManager.default.removeItem(at: one)
            try? FileManager.default.removeItem(at: four)
        }
        #expect(first.succeeded && second.succeeded)
        let a = TemporarySite.snapshot(one), b = TemporarySite.snapshot(four)
        #expect(!a.isEmpty)
        #expect(a == b)
    }
}

@Suite struct BuildBehaviourTests {
    @Test func writesTheExpectedPages() async throws {
        let site = try TemporarySite([
            "content/site.yaml": defaultSiteYAML,
            "content/bulletins/2016/1.md": bulletinFile(title: "旧一期", issue: 1, serial: 1, date: "2016-05-01"),
            "content/bulletins/2017/2.md": bulletinFile(title: "新一期", issue: 1, serial: 2, date: "2017-01-02"),
        ])
        defer { site.remove() }
        let report = await site.build()
        #expect(report.succeeded)
        #expect(report.pages == 12)
        #expect(report.summary.hasPrefix("Built 2 bulletins: 12 pages, 2 text editions, 6 data files, 5 search index files and 4 static files in "))
        let files = TemporarySite.snapshot(site.output).keys.sorted()
        #expect(files == [
            "404.html", "bulletins/2016/1/bulletin.txt", "bulletins/2016/1/index.html", "bulletins/2016/index.html",
            "bulletins/2017/2/bulletin.txt", "bulletins/2017/2/index.html", "bulletins/2017/index.html",
            "bulletins/index.html", "data/bulletins.json", "data/exemplars.csv", "data/schema.json", "data/stats.csv",
            "districts/index.html", "exemplars/index.html", "feed.xml", "index.html", "search/docs/0.json", "search/index.html",
            "search/index.json", "search/meta.bin", "search/positions/0.bin", "search/terms/0.bin", "sitemap.xml",
            "static/favicon.svg", "static/search.js", "static/style.css", "static/table-sort.js",
            "stats/index.html", "tags/index.html",
        ])
        let home = try site.read("index.html")
        let newer = try #require(home.range(of: "新一期")), older = try #require(home.range(of: "旧一期"))
        #expect(newer.lowerBound < older.lowerBound, "home lists newest first")
        let oldPage = try site.read("bulletins/2016/1/index.html")
        #expect(oldPage.contains("<a class=\"issue-next\" rel=\"next\" href=\"../../../bulletins/2017/2/\">"))
    }

    @Test func failedBuildLeavesThePreviousOutputUntouched() async throws {
        let site = try TemporarySite([
            "content/site.yaml": defaultSiteYAML,
            "content/a.md": bulletinFile(title: "第一期"),
        ])
        defer { site.remove() }
        #expect(await site.build().succeeded)
        let before = TemporarySite.snapshot(site.output)
        try site.write(bulletinFile(title: "改过的标题"), to: "content/a.md")
        try site.write("---\ntitle: 坏\n", to: "content/b.md")
        let report = await site.build()
        #expect(!report.succeeded)
        #expect(TemporarySite.snapshot(site.output) == before)
        #expect(!FileManager.default.fileExists(atPath: site.root.appending(path: ".output.staging").path))
    }

    @Test func filesNoLongerProducedDisappearAndDotfilesStay() async throws {
        let site = try TemporarySite([
            "content/site.yaml": defaultSiteYAML,
            "content/a.md": bulletinFile(issue: 1, date: "2016-03-07"),
            "output/.gitkeep": "",
            "output/stale.html": "old",
        ])
        defer { site.remove() }
        #expect(await site.build().succeeded)
        try FileManager.default.removeItem(at: site.root.appending(path: "content/a.md"))
        try site.write(bulletinFile(issue: 1, date: "2017-03-07"), to: "content/b.md")
        #expect(await site.build().succeeded)
        let files = Set(TemporarySite.snapshot(site.output).keys)
        #expect(files.contains(".gitkeep"))
        #expect(!files.contains("stale.html"))
        #expect(!files.contains("bulletins/2016/1/index.html"))
        #expect(files.contains("bulletins/2017/1/index.html"))
    }

    @Test func draftsAreLeftOutUnlessAskedFor() async throws {
        let site = try TemporarySite([
            "content/site.yaml": defaultSiteYAML,
            "content/a.md": bulletinFile(title: "草稿", extra: "draft: true"),
        ])
        defer { site.remove() }
        #expect(await site.build().bulletins == 0)
        #expect(await site.build(drafts: true).bulletins == 1)
    }

    @Test func crlfAndByteOrderMarkFilesBuildExactlyLikeLFFiles() async throws {
        let text = bulletinFile(title: "换行测试", body: "## 一、标题\n\n第一行\n第二行。\n")
        let crlf = Array("\u{FEFF}".utf8) + Array(text.replacingOccurrences(of: "\n", with: "\r\n").utf8)
        let lf = try TemporarySite(["content/site.yaml": defaultSiteYAML, "content/a.md": text])
        let windows = try TemporarySite(["content/site.yaml": defaultSiteYAML], bytes: ["content/a.md": crlf])
        defer { lf.remove(); windows.remove() }
        #expect(await lf.build().succeeded)
        #expect(await windows.build().succeeded)
        #expect(TemporarySite.snapshot(lf.output) == TemporarySite.snapshot(windows.output))
    }

    @Test func scriptInTitleIsEscapedAndInBodyOmitted() async throws {
        let site = try TemporarySite([
            "content/site.yaml": defaultSiteYAML,
            "content/a.md": bulletinFile(title: "\"<script>alert(1)</script>\"", body: "正文\n\n<script>alert(2)</script>\n"),
        ])
        defer { site.remove() }
        let report = await site.build()
        #expect(report.succeeded)
        let page = try site.read("bulletins/2017/1/index.html")
        #expect(!page.contains("<script"))
        #expect(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(!page.contains("alert(2)</script>"))
        #expect(report.diagnostics.map(\.description) == [
            "content/a.md:9:1: warning: raw HTML omitted: <script>alert(2)</script> (set unsafe_html: true in site.yaml to keep raw HTML)",
        ])
    }

    @Test func siteTemplatesOverrideDefaultsFileByFile() async throws {
        let site = try TemporarySite([
            "content/site.yaml": defaultSiteYAML,
            "content/a.md": bulletinFile(),
            "templates/partials/site-footer.mustache": "<footer class=\"custom\">{{site.title}} 自定义页脚</footer>\n",
            "templates/static/extra.txt": "hello",
        ])
        defer { site.remove() }
        #expect(await site.build().succeeded)
        #expect(try site.read("index.html").contains("<footer class=\"custom\">测试站点 自定义页脚</footer>"))
        #expect(try site.read("static/extra.txt") == "hello")
        #expect(FileManager.default.fileExists(atPath: site.output.appending(path: "static/style.css").path))
    }
}
