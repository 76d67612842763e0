import BulletinModel
import BulletinSite
import Foundation
import Testing

/// What real bulletins hold (the `rich` fixture): tables, photos, attachments, and two series sharing serials.
@Suite struct RichContentTests {
    /// The `rich` fixture built once into a temporary folder.
    private func builtFixture() async throws -> TemporarySite {
        let site = try CLITests.fixture("rich")
        let report = await site.build()
        #expect(report.succeeded && report.diagnostics.isEmpty, "\(report.diagnostics)")
        return site
    }

    @Test func tablesMatchGoldenInHTMLAndText() async throws {
        let site = try await builtFixture()
        defer { site.remove() }
        let page = try site.read("xxjl/2017/305/index.html")
        let body = page.components(separatedBy: "<div class=\"bulletin-body\">")[1].components(separatedBy: "<p class=\"bulletin-terms\">")[0]
        try expectGolden(body, "rich-305-body.html")
        try expectGolden(try site.read("xxjl/2017/305/bulletin.txt"), "rich-305.txt")
        #expect(page.contains("<script src=\"../../../static/table-sort.js\" defer></script>"))
        // A page without tables loads no script.
        #expect(!(try site.read("cwjb/2017/305/index.html")).contains("table-sort.js"))
    }

    @Test func aWideTableStaysWithinTheTextWidth() async throws {
        let site = try await builtFixture()
        defer { site.remove() }
        let text = try site.read("xxjl/2017/305/bulletin.txt")
        for line in text.split(separator: "\n") { #expect(DisplayWidth.of(line) <= 56, "\(line)") }
        // Long headers wrap before any body cell does: each unit's name stays whole on its row.
        #expect(text.contains("市住建局    18.5"))
    }

    @Test func imagesArePublishedAsStrippedVariants() async throws {
        let site = try await builtFixture()
        defer { site.remove() }
        let page = try site.read("xxjl/2017/305/index.html")
        // 1200 × 800 with EXIF orientation 6: 800 × 1200 upright, so a 480 variant and the original width.
        #expect(page.contains("width=\"800\" height=\"1200\" alt=\"志愿者在雷锋广场服务市民\" loading=\"lazy\""))
        #expect(page.contains("<source type=\"image/webp\" srcset=\"images/leifeng-square-480.webp 480w, images/leifeng-square-800.webp 800w\""))
        let variants = ["leifeng-square-480.jpg", "leifeng-square-480.webp", "leifeng-square-800.jpg", "leifeng-square-800.webp"]
        let published = try FileManager.default.contentsOfDirectory(atPath: site.output.appending(path: "xxjl/2017/305/images").path).sorted()
        #expect(published == variants)
        for name in variants {
            let bytes = try Data(contentsOf: site.output.appending(path: "xxjl/2017/305/images/\(name)"))
            #expect(bytes.range(of: Data("Exif".utf8)) == nil, "\(name) keeps EXIF")
            #expect(bytes.range(of: Data("FixtureCam".utf8)) == nil, "\(name) keeps the camera's name")
            #expect(bytes.range(of: Data("XMP".utf8)) == nil, "\(name) keeps XMP")
        }
        // The original, with its GPS position, is not published.
        #expect(!FileManager.default.fileExists(atPath: site.output.appending(path: "xxjl/2017/305/leifeng-square.jpg").path))
        #expect(try site.read("xxjl/2017/305/bulletin.txt").contains("【图】志愿者在雷锋广场服务市民"))
    }

    @Test func attachmentsAreListedWithSizesAndDigests() async throws {
        let site = try await builtFixture()
        defer { site.remove() }
        let page = try site.read("xxjl/2017/305/index.html")
        #expect(page.contains("<li><a href=\"files/%E6%8E%92%E5%90%8D.xlsx\">市、区两级部门、单位帮扶社区（村）周排名情况一览表</a>"))
        let data = try JSONSerialization.jsonObject(with: Data(try site.read("data/bulletins.json").utf8)) as! [[String: Any]]
        let record = try #require(data.first { $0["title"] as? String == "全市文明单位测评结果通报" })
        let files = try #require(record["files"] as? [[String: Any]])
        #expect(files.map { $0["kind"] as! String } == ["attachment", "attachment", "linked", "image", "image", "image", "image"])
        for file in files {
            let url = try #require(file["url"] as? String)
            let path = String(url.dropFirst("https://example.org/".count)).removingPercentEncoding!
            let bytes = try Data(contentsOf: site.output.appending(path: path))
            #expect(file["size"] as? Int == bytes.count)
            #expect(file["sha256"] as? String == sha256Hex(bytes), "\(path)")
        }
        let tables = try #require(record["tables"] as? [[String: Any]])
        #expect(tables.count == 4)
        #expect(tables[1]["caption"] as? String == "乡镇综合得分及排名")
        #expect(tables[1]["rows"] as? [[String]] == [["1", "瓶窑镇", "96.5"], ["2", "良渚街道", "95.1"]])
    }

    @Test func twoSeriesShareSerialsWithTheirOwnArchivesAndFeeds() async throws {
        let site = try await builtFixture()
        defer { site.remove() }
        #expect(try site.read("xxjl/2017/305/index.html").contains("全市文明单位测评结果通报"))
        #expect(try site.read("cwjb/2017/305/index.html").contains("创文工作推进情况"))
        let xxjl = try site.read("xxjl/index.html"), cwjb = try site.read("cwjb/index.html")
        #expect(xxjl.contains("志愿服务周报") && xxjl.contains("全市文明单位测评结果通报") && !xxjl.contains("创文工作推进情况"))
        #expect(cwjb.contains("创文工作推进情况") && !cwjb.contains("志愿服务周报"))
        let feed = try site.read("cwjb/feed.xml")
        #expect(feed.contains("<id>https://example.org/cwjb/</id>") && feed.contains("https://example.org/cwjb/2017/305/"))
        #expect(!feed.contains("xxjl/2017"))
        let home = try site.read("index.html")
        #expect(home.contains("各系列最新一期"))
        #expect(home.contains("<a class=\"series-name\" href=\"./xxjl/\">杭州精神文明建设·信息交流</a>：<a href=\"./xxjl/2017/306/\">"))
        // Each series takes its publishers from site.yaml.
        #expect(try site.read("cwjb/2017/305/bulletin.txt").contains("杭州市创建全国文明城市工作指挥部办公室"))
    }

    @Test func aRebuildReusesTheVariantsOfAnUnchangedImage() async throws {
        let site = try CLITests.fixture("rich")
        defer { site.remove() }
        var options = BuildOptions(source: site.root, jobs: 2)
        options.cacheFolder = site.root.appending(path: BuildOptions.cacheFolderName)
        #expect(await SiteBuilder.build(options).succeeded)
        let images = options.cacheFolder!.appending(path: "images")
        let kept = try FileManager.default.contentsOfDirectory(atPath: images.path)
        #expect(kept.count == 1, "one folder for the one photo, named by its digest")
        let manifest = images.appending(path: kept[0]).appending(path: "variants.json").path
        let written = try FileManager.default.attributesOfItem(atPath: manifest)[.modificationDate] as! Date
        // The bulletin showing the photo is parsed again; its photo is not processed again.
        let source = try site.read("content/bulletins/2017/305.md", in: site.root)
        try site.write(source.replacing("测评按百分制计分", with: "测评按百分制计分（修订）"), to: "content/bulletins/2017/305.md")
        let report = await SiteBuilder.build(options)
        #expect(report.succeeded)
        #expect(try FileManager.default.attributesOfItem(atPath: manifest)[.modificationDate] as! Date == written)
        #expect(report.renderedFiles.allSatisfy { !$0.contains("/images/") }, "\(report.renderedFiles)")
        let clean = site.root.appending(path: "clean")
        #expect(await site.build(destination: clean).succeeded)
        #expect(TemporarySite.snapshot(site.output) == TemporarySite.snapshot(clean))
    }

    @Test func tableCellsAreFoundBySearch() async throws {
        let site = try await builtFixture()
        defer { site.remove() }
        let index = try DecodedIndex(folder: site.output.appending(path: "search"))
        let urls = try index.documents.map { $0["url"]! }
        let document = try #require(urls.firstIndex(of: "xxjl/2017/305/"))
        #expect(index.phrase("良渚街道") == [document], "a cell of the table read from a GB18030 file")
        #expect(index.phrase("乡镇综合得分及排名") == [document], "a caption")
    }

    @Test func aChangedTableFileRebuildsItsBulletin() async throws {
        let site = try CLITests.fixture("rich")
        defer { site.remove() }
        var options = BuildOptions(source: site.root, jobs: 2)
        options.cacheFolder = site.root.appending(path: BuildOptions.cacheFolderName)
        #expect(await SiteBuilder.build(options).succeeded)
        try site.write(Array("排名,乡镇,得分\n1,仁和街道,97.0\n".utf8), to: "content/bulletins/2017/305/乡镇排名.csv")
        let report = await SiteBuilder.build(options)
        #expect(report.succeeded)
        #expect(try site.read("xxjl/2017/305/bulletin.txt").contains("仁和街道"))
        #expect(try site.read("data/bulletins.json").contains("仁和街道"))
        let clean = site.root.appending(path: "clean")
        #expect(await site.build(destination: clean).succeeded)
        #expect(TemporarySite.snapshot(site.output) == TemporarySite.snapshot(clean))
    }
}

/// Every broken table, image, attachment and series is an error (or a warning) at its file, line and column.
@Suite struct RichContentBadInputTests {
    private func diagnostics(_ body: String, extra: String = "", files: [String: [UInt8]] = [:], siteYAML: String = defaultSiteYAML)
        async throws -> [String] {
        var bytes = files
        bytes["content/bulletins/305.md"] = Array(bulletinFile(extra: extra, body: body).utf8)
        let site = try TemporarySite(["content/site.yaml": siteYAML], bytes: bytes)
        defer { site.remove() }
        let report = await site.build()
        if report.diagnostics.hasErrors {
            #expect(!FileManager.default.fileExists(atPath: site.output.path), "a failed build must write nothing")
        }
        return report.diagnostics.map(\.description)
    }

    /// The body starts on line 7 of `bulletinFile` without extra front matter.
    @Test func unequalRowsInline() async throws {
        #expect(try await diagnostics("```table\n排名,单位\n1,市住建局,95.6\n```\n") == [
            "content/bulletins/305.md:9:1: error: row 2 has 3 cells where the first row has 2; every row needs the same number "
                + "(quote a cell that holds a comma: \"1,000\")",
        ])
    }

    @Test func unequalRowsInAFile() async throws {
        let result = try await diagnostics("```table file=\"305/排名.csv\"\n```\n",
                                           files: ["content/bulletins/305/排名.csv": Array("a,b\n1,2\n\n3\n".utf8)])
        #expect(result == [
            "content/bulletins/305/排名.csv:4:1: error: row 3 has 1 cell where the first row has 2; every row needs the same number "
                + "(quote a cell that holds a comma: \"1,000\")",
        ])
    }

    @Test func emptyTable() async throws {
        #expect(try await diagnostics("正文。\n\n```table caption=\"空\"\n```\n") == [
            "content/bulletins/305.md:9:1: error: the table has no rows; write CSV rows inside the block or name a file with file=\"…\"",
        ])
    }

    @Test func missingTableFile() async throws {
        #expect(try await diagnostics("```table caption=\"乡镇\" file=\"305/无.csv\"\n```\n") == [
            "content/bulletins/305.md:7:23: error: '305/无.csv' does not exist (looked for content/bulletins/305/无.csv)",
        ])
    }

    @Test func undecodableTableFile() async throws {
        let result = try await diagnostics("```table file=\"305/表.csv\"\n```\n", files: ["content/bulletins/305/表.csv": [0xFF, 0xFE, 0x00, 0xFF, 0x81]])
        #expect(result == [
            "content/bulletins/305.md:7:10: error: the table file '305/表.csv' is neither UTF-8 nor GB18030 text; "
                + "save it from the spreadsheet as CSV (UTF-8)",
        ])
    }

    @Test func tableFileOutsideContent() async throws {
        let result = try await diagnostics("```table file=\"../../secret.csv\"\n```\n", files: ["secret.csv": Array("a\n1\n".utf8)])
        #expect(result == [
            "content/bulletins/305.md:7:10: error: '../../secret.csv' leads outside content/: a bulletin's files live beside it, "
                + "in the folder named after the bulletin file",
        ])
    }

    @Test func pipeTableIsAWarningShowingTheBlockToWrite() async throws {
        let result = try await diagnostics("正文。\n\n| 排名 | 单位 |\n|---|---|\n| 1 | 市住建局 |\n")
        #expect(result == [
            "content/bulletins/305.md:9:1: warning: this looks like a pipe table, which bulletins do not use: it is shown as text. "
                + "Write a table block instead:\n```table\n排名,单位\n1,市住建局\n```",
        ])
    }

    @Test func missingImage() async throws {
        #expect(try await diagnostics("正文。\n\n![照片](305/无.jpg)\n") == [
            "content/bulletins/305.md:9:7: error: '305/无.jpg' does not exist (looked for content/bulletins/305/无.jpg)",
        ])
    }

    @Test func undecodableImage() async throws {
        let result = try await diagnostics("![照片](305/坏.jpg)\n", files: ["content/bulletins/305/坏.jpg": Array("not a JPEG".utf8)])
        #expect(result.count == 1)
        #expect(result[0].hasPrefix("content/bulletins/305.md:7:7: error: the image 'content/bulletins/305/坏.jpg' cannot be used: "))
    }

    @Test func imageOverThePixelLimit() async throws {
        let png = try Data(contentsOf: repositoryRoot.appending(path: "Tests/BulletinTests/Fixtures/images/header-400-megapixels.png"))
        let result = try await diagnostics("![巨图](305/huge.png)\n", files: ["content/bulletins/305/huge.png": Array(png)])
        #expect(result == [
            "content/bulletins/305.md:7:7: error: the image 'content/bulletins/305/huge.png' is 20000 × 20000 pixels, more than the 50 "
                + "million a page image may have; scale it down before adding it",
        ])
    }

    @Test func imageWithoutAltTextIsAWarning() async throws {
        let jpeg = try Data(contentsOf: repositoryRoot.appending(path: "Tests/BulletinTests/Fixtures/rich/content/bulletins/2017/305/leifeng-square.jpg"))
        let result = try await diagnostics("![](305/a.jpg)\n", files: ["content/bulletins/305/a.jpg": Array(jpeg)])
        #expect(result == [
            "content/bulletins/305.md:7:5: warning: the image '305/a.jpg' has no alt text: write what it shows between the brackets, "
                + "![志愿者在广场服务市民](305/a.jpg), for readers who cannot see it",
        ])
    }

    @Test(arguments: ["页面.html", "图.svg", "脚本.js", "程序.exe"])
    func activeFilesAreRefused(name: String) async throws {
        let result = try await diagnostics("见[附件](305/\(name))。\n", files: ["content/bulletins/305/\(name)": Array("x".utf8)])
        let type = String(name.split(separator: ".").last!)
        #expect(result == [
            "content/bulletins/305.md:7:7: error: '305/\(name)' is not published: a .\(type) file served from the site's own address would "
                + "run as part of the site; bulletins publish JPEG, PNG, WebP, GIF, CSV, DOC, DOCX, PDF, WPS, XLS, XLSX, ZIP",
        ])
    }

    @Test func attachmentOfARefusedTypeInFrontMatter() async throws {
        let result = try await diagnostics("正文。\n", extra: "attachments:\n  - file: 305/说明.html\n    title: 说明",
                                           files: ["content/bulletins/305/说明.html": Array("<script>".utf8)])
        #expect(result == [
            "content/bulletins/305.md:6:11: error: '305/说明.html' is not published: a .html file served from the site's own address "
                + "would run as part of the site; bulletins publish JPEG, PNG, WebP, GIF, CSV, DOC, DOCX, PDF, WPS, XLS, XLSX, ZIP",
        ])
    }

    @Test func missingAttachment() async throws {
        #expect(try await diagnostics("正文。\n", extra: "attachments:\n  - file: 305/无.pdf\n    title: 通知") == [
            "content/bulletins/305.md:6:11: error: '305/无.pdf' does not exist (looked for content/bulletins/305/无.pdf)",
        ])
    }

    @Test func unknownSeriesNamesTheClosest() async throws {
        let siteYAML = """
            series:
              - name: 杭州精神文明建设·信息交流
                slug: xxjl
              - name: 创文工作简报
                slug: cwjb
            publishers: [某办]

            """
        let result = try await diagnostics("正文。\n", extra: "series: 创文工作快报", siteYAML: siteYAML)
        #expect(result == [
            "content/bulletins/305.md:5:9: error: series '创文工作快报' is not one of the series in content/site.yaml "
                + "(杭州精神文明建设·信息交流、创文工作简报); did you mean '创文工作简报'?",
        ])
    }

    @Test func twoSeriesWithoutAListCollide() async throws {
        let site = try TemporarySite([
            "content/site.yaml": defaultSiteYAML,
            "content/a.md": bulletinFile(serial: 305),
            "content/b.md": bulletinFile(serial: 305, extra: "series: 创文工作简报"),
        ])
        defer { site.remove() }
        let report = await site.build()
        #expect(report.diagnostics.map(\.description) == [
            "content/b.md:4:9: error: this bulletin and content/a.md would both be written to bulletins/2017/305/; list both series in "
                + "site.yaml (series: - name: … slug: …) so that each gets its own addresses",
        ])
    }

    @Test func permalinkPatternsAreChecked() async throws {
        let result = try await diagnostics("正文。\n", siteYAML: defaultSiteYAML + "permalink: /{year}/{month}/\n")
        #expect(result == [
            "content/site.yaml:6:12: error: 'permalink' may use only {series}, {year}, {issue}, {serial}; found a stray '{' in '/{year}/{month}/'",
        ])
    }
}

/// SHA-256 in lower-case hex, computed by the system's `sha256sum` (a second implementation to check ours by).
func sha256Hex(_ data: Data) -> String {
    let file = FileManager.default.temporaryDirectory.appending(path: "sha-\(UUID().uuidString)")
    try? data.write(to: file)
    defer { try? FileManager.default.removeItem(at: file) }
    let process = Process(), pipe = Pipe()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
    process.arguments = [file.path]
    process.standardOutput = pipe
    try? process.run()
    let output = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(String(decoding: output, as: UTF8.self).prefix(64))
}
