import BulletinAggregates
@testable import BulletinCharts
@testable import BulletinFrontMatter
import BulletinModel
@testable import BulletinSite
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing

/// The pages built from what bulletins say together, on the fixture archive (2022–2024).
@Suite struct AggregatePagesTests {
    private func buildArchive() async throws -> TemporarySite {
        let site = try CLITests.fixture("archive")
        let report = await site.build()
        #expect(report.succeeded, "\(report.diagnostics)")
        return site
    }

    @Test func statsPagesMatchGolden() async throws {
        let site = try await buildArchive()
        defer { site.remove() }
        try expectGolden(try site.read("stats/index.html"), "archive-stats.html")
        try expectGolden(try site.read("stats/practice_stations/index.html"), "archive-stat-practice_stations.html")
    }

    @Test func exemplarIndexAndFeedMatchGolden() async throws {
        let site = try await buildArchive()
        defer { site.remove() }
        try expectGolden(try site.read("exemplars/index.html"), "archive-exemplars.html")
        try expectGolden(try site.read("feed.xml"), "archive-feed.xml")
    }

    @Test func chartSVGMatchesGolden() throws {
        let svg = Charts.line(
            id: "chart-test", title: "新时代文明实践站（个）变化", description: "两年的数值。", unit: "个",
            series: [ChartSeries(name: "新时代文明实践站", points: [
                (CalendarDate(year: 2021, month: 12, day: 31)!, 1204), (CalendarDate(year: 2022, month: 12, day: 31)!, 1310),
            ])])
        try expectGolden(svg, "chart.svg")
        #expect(try XMLDocumentCheck.parses(svg))
    }

    @Test func longSeriesAreDrawnAsALineWithoutMarkers() throws {
        func svg(points: Int) -> String {
            Charts.line(id: "c", title: "t", description: "d", unit: "个", series: [ChartSeries(name: "s", points: (0..<points).map {
                (CalendarDate(year: 2000 + $0 / 360, month: $0 % 12 + 1, day: $0 % 28 + 1)!, Double($0))
            })])
        }
        let short = svg(points: Charts.maximumMarkers), long = svg(points: Charts.maximumMarkers + 1)
        #expect(short.components(separatedBy: "<circle").count - 1 == Charts.maximumMarkers)
        #expect(!long.contains("<circle") && long.contains("<polyline"))
        #expect(try XMLDocumentCheck.parses(long))
    }

    @Test func manyScopesTogetherPastTheMarkerLimitDrawNoMarkersAndDenseLinesKeepTheirEnvelope() throws {
        // Two scopes of 200 points each: each under the limit, together over it.
        let scopes = (0..<2).map { scope in
            ChartSeries(name: "s\(scope)", points: (0..<200).map {
                (CalendarDate(year: 2000 + $0 / 12, month: $0 % 12 + 1, day: 1)!, Double($0 + scope))
            })
        }
        #expect(!Charts.line(id: "c", title: "t", description: "d", unit: "个", series: scopes).contains("<circle"))

        let dense: [(x: Double, y: Double)] = (0..<5_000).map { index in
            let x: Double = 76 + Double(index) * 0.1
            return (x: x, y: Double((index * 37) % 101))
        }
        let thinned = Charts.thinned(dense)
        #expect(thinned.count <= 2 * 251 && thinned.count < dense.count / 4)
        #expect(zip(thinned, thinned.dropFirst()).allSatisfy { $0.x <= $1.x }, "in their order")
        for band in [38, 100, 300] {
            let members: [Double] = dense.filter { ($0.x / 2).rounded(.down) == Double(band) }.map { $0.y }
            let kept: [Double] = thinned.filter { ($0.x / 2).rounded(.down) == Double(band) }.map { $0.y }
            #expect(kept.min() == members.min() && kept.max() == members.max(), "band \(band)")
        }
        let sparse: [(x: Double, y: Double)] = (0..<100).map { (x: 76 + Double($0) * 5, y: Double($0)) }
        #expect(Charts.thinned(sparse).map { $0.x } == sparse.map { $0.x }, "a line with room for every point is kept whole")
    }

    @Test func chartCoordinatesHaveOneDecimalAndNoTrailingZero() {
        let cases: [(Double, String)] = [(0, "0"), (12, "12"), (12.04, "12"), (12.05, "12.1"), (-0.5, "-0.5"), (-0.04, "0"),
                                         (-3.26, "-3.3"), (703.999, "704"), (1e6 + 0.25, "1000000.3")]
        for (value, text) in cases { #expect(Charts.format(value) == text, "\(value)") }
    }

    @Test func timeSeriesPerKeyIsCorrect() async throws {
        let site = try await buildArchive()
        defer { site.remove() }
        let page = try site.read("stats/practice_stations/index.html")
        #expect(page.contains("最新：<data value=\"1310\">1,310</data>个（<time datetime=\"2022-12-31\">2022年12月31日</time>）"))
        #expect(page.contains("<span class=\"change change-up\">+106（+8.8%）</span>"))
        let titles = page.matches(of: /<circle[^>]*><title>([^<]*)<\/title><\/circle>/).map { String($0.1) }
        #expect(titles == ["新时代文明实践站 2021年12月31日：1,204个", "新时代文明实践站 2022年12月31日：1,310个"])
        #expect(page.contains("<rect x=\""), "two years of values get a bar chart")
    }

    @Test func feedAndSitemapParseAndPointAtFiles() async throws {
        let site = try await buildArchive()
        defer { site.remove() }
        for file in ["feed.xml", "sitemap.xml"] {
            let xml = try site.read(file)
            #expect(try XMLDocumentCheck.parses(xml), "\(file) is not well-formed XML")
            let urls = xml.matches(of: /(?:href="|<loc>)(https:\/\/bulletins\.example\.org\/[^"<]*)/).map { String($0.1) }
            #expect(!urls.isEmpty)
            for url in urls {
                let path = String(url.dropFirst("https://bulletins.example.org/".count)).removingPercentEncoding!
                let file = path.isEmpty || path.hasSuffix("/") ? path + "index.html" : path
                #expect(FileManager.default.fileExists(atPath: site.output.appending(path: file).path), "\(url) has no file")
            }
        }
    }

    @Test func paginationFollowsPageSize() async throws {
        let site = try await buildArchive()
        defer { site.remove() }
        let first = try site.read("index.html"), second = try site.read("page/2/index.html")
        #expect(first.components(separatedBy: "class=\"bulletin-entry\"").count - 1 == 2)
        #expect(second.components(separatedBy: "class=\"bulletin-entry\"").count - 1 == 2)
        #expect(first.contains("<a class=\"pagination-next\" rel=\"next\" href=\"./page/2/\">下一页</a>"))
        #expect(second.contains("<a class=\"pagination-prev\" rel=\"prev\" href=\"../../\">上一页</a>"))
        #expect(second.contains("<span aria-current=\"page\">2</span>"))
    }

    @Test func taxonomyPagesKeepChineseAndLinkPercentEncoded() async throws {
        let site = try await buildArchive()
        defer { site.remove() }
        let term = try site.read("tags/志愿服务/index.html")
        #expect(term.contains("<h1 class=\"page-title\">志愿服务</h1>"))
        #expect(try site.read("tags/index.html").contains("href=\"../tags/%E5%BF%97%E6%84%BF%E6%9C%8D%E5%8A%A1/\">志愿服务</a>（1期）"))
        let bulletin = try site.read("bulletins/2023/102/index.html")
        #expect(bulletin.contains("<a class=\"district\" href=\"../../../districts/%E8%A5%BF%E5%9F%8E%E5%8C%BA/\">西城区</a>"))
    }
}

/// Numbers keep the front-matter values everywhere: pages, charts, CSV and JSON.
@Suite struct AggregateNumberTests {
    @Test func nineteenPointFourWanIsOneHundredNinetyFourThousandEverywhere() async throws {
        let output = FileManager.default.temporaryDirectory.appending(path: "bulletin-numbers-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: output) }
        let report = await SiteBuilder.build(BuildOptions(source: repositoryRoot, destination: output))
        #expect(report.succeeded)
        func read(_ path: String) throws -> String { try String(contentsOf: output.appending(path: path), encoding: .utf8) }
        let page = try read("stats/summit_volunteer_hours/index.html")
        #expect(page.contains("<data value=\"194000\">19.4万</data>小时"))
        #expect(page.contains("<title>峰会志愿服务时数 2017年3月7日：19.4万小时</title>"))
        let csv = try read("data/stats.csv")
        #expect(csv.contains(",summit_volunteer_hours,峰会志愿服务时数,194000,小时,,,https://example.org/bulletins/bulletins/2017/305/\n"))
        #expect(csv.contains(",family_volunteer_hours,家庭志愿者参与志愿服务时长,989258.5,小时,2016-12-31,,"))
        let json = try JSONSerialization.jsonObject(with: Data(try read("data/bulletins.json").utf8)) as! [[String: Any]]
        let stats = json[0]["stats"] as! [[String: Any]]
        let summit = stats.first { $0["key"] as? String == "summit_volunteer_hours" }!
        #expect((summit["value"] as? NSNumber)?.doubleValue == 194000)
        let exemplars = try read("data/exemplars.csv")
        #expect(exemplars.split(separator: "\n").count == 7)
        #expect(exemplars.contains(",person,施志平,第三批全国岗位学雷锋标兵,,中宣部,,,"))
        #expect(try read("data/schema.json").contains("\"$schema\" : \"https://json-schema.org/draft/2020-12/schema\""))
    }
}

/// Contradictions between bulletins are errors naming both places.
@Suite struct AggregateErrorTests {
    private func diagnostics(_ files: [String: String]) async throws -> [String] {
        var all = files
        all["content/site.yaml"] = defaultSiteYAML
        let site = try TemporarySite(all)
        defer { site.remove() }
        return await site.build().diagnostics.map(\.description)
    }

    private func stats(_ key: String, _ value: String, _ unit: String, asOf: String? = nil) -> String {
        "stats:\n  - key: \(key)\n    label: 标签\n    value: \(value)\n    unit: \(unit)" + (asOf.map { "\n    as_of: \($0)" } ?? "")
    }

    @Test func aKeysPageListsItsLatestValuesAndEveryValueIsInItsCSV() async throws {
        // 250 values, one a day: more than the page lists (10).
        var files = ["content/site.yaml": defaultSiteYAML]
        for day in 0..<250 {
            let date = CalendarDate(year: 2017, month: day / 28 + 1, day: day % 28 + 1)!
            files["content/\(day).md"] = bulletinFile(issue: day + 1, date: date.iso, extra: stats("households", "\(1000 + day)", "户"))
        }
        let site = try TemporarySite(files)
        defer { site.remove() }
        #expect(await site.build().succeeded)
        let page = try site.read("stats/households/index.html")
        let rows = page.components(separatedBy: "<tr><td><time").count - 1
        #expect(rows == 10, "the ten latest values")
        #expect(page.contains("<data value=\"1249\">1,249</data>户") && !page.contains("<data value=\"1239\">"))
        #expect(page.contains("更早的 240 个数值见 <a href=\"../../stats/households/values.csv\" type=\"text/csv\">households/values.csv</a>"))
        #expect(page.contains("全部 250 个数值及报告的简报"))
        let csv = try site.read("stats/households/values.csv").split(separator: "\n")
        #expect(csv.count == 251)
        #expect(csv[0] == "as_of,scope,value,unit,label,series,year,issue,serial,date,title,url")
        #expect(csv[1] == "2017-09-26,,1249,户,标签,测试精神文明建设·信息交流,2017,250,,2017-09-26,测试简报,https://bulletins.example.net/bulletins/2017/250/")
        #expect(csv[250].hasPrefix("2017-01-01,,1000,户,"), "newest first")
    }

    @Test func aKeyWithTwoUnitsIsAnError() async throws {
        let result = try await diagnostics([
            "content/a.md": bulletinFile(issue: 1, date: "2017-01-01", extra: stats("volunteers", "100", "名")),
            "content/b.md": bulletinFile(issue: 2, date: "2017-02-01", extra: stats("volunteers", "120", "人")),
        ])
        #expect(result == [
            "content/b.md:6:5: error: stat 'volunteers' is measured in 人 here but in 名 at content/a.md:6:5; one key must keep one unit",
        ])
    }

    @Test func twoValuesForOneKeyScopeAndDateIsAnError() async throws {
        let result = try await diagnostics([
            "content/a.md": bulletinFile(issue: 1, date: "2017-01-01", extra: stats("households", "27093", "户", asOf: "2016-12-31")),
            "content/b.md": bulletinFile(issue: 2, date: "2017-02-01", extra: stats("households", "27000", "户", asOf: "2016-12-31")),
            "content/c.md": bulletinFile(issue: 3, date: "2017-03-01", extra: stats("households", "27,093", "户", asOf: "2016-12-31")),
        ])
        #expect(result == [
            "content/b.md:6:5: error: stat 'households' on 2016-12-31 is 27,000 here but 27,093 at content/a.md:6:5; one key, scope and date can have only one value",
        ])
    }

    /// Two bulletins giving one key, scope and date two values, with conflicts downgraded to warnings.
    private func conflictingSiteWithWarnings() throws -> TemporarySite {
        try TemporarySite([
            "content/site.yaml": defaultSiteYAML + "stat_conflicts: warning\n",
            "content/a.md": bulletinFile(issue: 1, date: "2017-01-01", extra: stats("households", "27093", "户", asOf: "2016-12-31")),
            "content/b.md": bulletinFile(issue: 2, date: "2017-02-01", extra: stats("households", "27000", "户", asOf: "2016-12-31")),
        ])
    }

    @Test func conflictsCanBeDowngradedToWarningsKeepingTheNewerValue() async throws {
        let site = try conflictingSiteWithWarnings()
        defer { site.remove() }
        let report = await site.build()
        #expect(report.succeeded)
        #expect(report.diagnostics.map(\.severity) == [.warning])
        let page = try site.read("stats/households/index.html")
        #expect(page.contains("最新：<data value=\"27000\">27,000</data>户"))
    }

    @Test func aDiagnosticAcrossFilesQuotesItsLineReadFromTheFileWithOrWithoutTheCache() async throws {
        let site = try conflictingSiteWithWarnings()
        defer { site.remove() }
        // Bulletins keep where each stat was written, not the line's text: it is read when the warning is reported.
        for _ in 0..<2 {
            let run = try CLITests.run(["build", "--source", site.root.path])
            #expect(run.status == 0)
            #expect(run.stderr.contains("""
                content/b.md:6:5: warning: stat 'households' on 2016-12-31 is 27,000 here but 27,093 at content/a.md:6:5; one key, scope and date can have only one value
                      - key: households
                        ^
                """), "\(run.stderr)")
        }
        var issue = Diagnostic(.warning, "x", at: SourceLocation(file: "content/a.md", line: 99, column: 1), sourceLineToRead: true)
        #expect([issue].readingSourceLines(in: site.root.path)[0].sourceLine == nil, "a line past the end quotes nothing")
        issue.location?.file = "content/gone.md"
        #expect([issue].readingSourceLines(in: site.root.path)[0].rendered == "content/gone.md:99:1: warning: x")
    }

    @Test func exemplarNamesThatShareAPageAreAnError() async throws {
        let exemplar = { (name: String) in "exemplars:\n  - name: \(name)\n    kind: person\n    honor: 标兵" }
        let result = try await diagnostics([
            "content/a.md": bulletinFile(issue: 1, date: "2017-01-01", extra: exemplar("Wang/Li")),
            "content/b.md": bulletinFile(issue: 2, date: "2017-02-01", extra: exemplar("WangLi")),
            "content/c.md": bulletinFile(issue: 3, date: "2017-03-01", extra: exemplar("ＷａｎｇＬｉ")),
        ])
        #expect(result == [
            "content/b.md:6:11: error: exemplar 'WangLi' would share the page exemplars/person/wangli/ with a different name at content/a.md:6:11; rename one of them",
            "content/c.md:6:11: error: exemplar 'ＷａｎｇＬｉ' would share the page exemplars/person/wangli/ with a different name at content/a.md:6:11; rename one of them",
        ])
    }

    @Test func taxonomyTermsThatShareAPageAreAnError() async throws {
        let result = try await diagnostics([
            "content/a.md": bulletinFile(issue: 1, date: "2017-01-01", extra: "tags: [Volunteer]"),
            "content/b.md": bulletinFile(issue: 2, date: "2017-02-01", extra: "tags: [volunteer]"),
        ])
        #expect(result == [
            "content/a.md:5:7: error: tags term 'Volunteer' and 'volunteer' at content/b.md:5:7 would share the page tags/volunteer/; write them the same way or distinguish them",
        ])
    }

    @Test func serialGapsAreWarningsListingTheMissingNumbers() async throws {
        let result = try await diagnostics([
            "content/a.md": bulletinFile(issue: 1, serial: 300, date: "2017-01-01"),
            "content/b.md": bulletinFile(issue: 2, serial: 301, date: "2017-02-01"),
            "content/c.md": bulletinFile(issue: 3, serial: 305, date: "2017-03-01"),
            "content/d.md": bulletinFile(issue: 4, serial: 307, date: "2017-04-01"),
        ])
        #expect(result == [
            "content/c.md:4:9: warning: 测试精神文明建设·信息交流: serial jumps from 301 to 305; 总第302–304期 (3 issues) are missing from the archive",
            "content/d.md:4:9: warning: 测试精神文明建设·信息交流: serial jumps from 305 to 307; 总第306期 is missing from the archive",
        ])
    }

    @Test func normalizationFoldsWidthAndComposition() {
        #expect(Normalization.identity("Ｇ２０峰会") == Normalization.identity("G20峰会"))
        #expect(Normalization.identity("e\u{301}　x") == "\u{E9} x")
        #expect(Normalization.pathSegment("../../etc") == "....etc")
        #expect(Normalization.pathSegment("..") == "_..")
        #expect(Normalization.pathSegment(String(repeating: "志", count: 100)).utf8.count <= 200)
    }
}

enum XMLDocumentCheck {
    /// Whether `xml` is well-formed.
    static func parses(_ xml: String) throws -> Bool {
        XMLParser(data: Data(xml.utf8)).parse()
    }
}

@Suite struct CSVTests {
    @Test func quotesFieldsThatNeedIt() {
        var csv = CSVWriter(header: ["a", "b"])
        csv.add(["1,2", "say \"hi\""])
        csv.add(["line\nbreak", "plain"])
        #expect(String(decoding: csv.bytes, as: UTF8.self) == "a,b\n\"1,2\",\"say \"\"hi\"\"\"\n\"line\nbreak\",plain\n")
    }

    @Test func textCellsThatStartAFormulaGetALeadingQuote() {
        var csv = CSVWriter(header: ["text", "number"], numericColumns: ["number"])
        for start in ["=", "+", "-", "@", "\t", "\r"] { csv.add([start + "1+1", "1"]) }
        csv.add(["=A1,B1", "-0.5"])
        csv.add(["a=b", "-12"])
        csv.add(["", ""])
        #expect(String(decoding: csv.bytes, as: UTF8.self) == """
            text,number
            '=1+1,1
            '+1+1,1
            '-1+1,1
            '@1+1,1
            '\t1+1,1
            "'\r1+1",1
            "'=A1,B1",-0.5
            a=b,-12
            ,

            """)
    }

    @Test func numericColumnsKeepNumbersAndNeutraliseAnythingElse() {
        var csv = CSVWriter(header: ["value"], numericColumns: ["value"])
        for value in ["-0.5", "194000", "989258.5", "-3", "-1+1", "=1", "-.5", "-", "1."] { csv.add([value]) }
        #expect(String(decoding: csv.bytes, as: UTF8.self) == "value\n-0.5\n194000\n989258.5\n-3\n'-1+1\n'=1\n'-.5\n'-\n1.\n")
    }
}

@Suite struct SeriesAndSchemaTests {
    @Test func sitesWithSeveralSeriesGetSeriesPages() async throws {
        let site = try TemporarySite([
            "content/site.yaml": defaultSiteYAML,
            "content/a.md": bulletinFile(issue: 1, date: "2017-01-01"),
            "content/b.md": bulletinFile(issue: 1, date: "2017-02-01", extra: "series: 志愿服务专刊\nserial: 9"),
        ])
        defer { site.remove() }
        #expect(await site.build().succeeded)
        let index = try site.read("series/index.html")
        #expect(index.contains("<a href=\"../series/%E5%BF%97%E6%84%BF%E6%9C%8D%E5%8A%A1%E4%B8%93%E5%88%8A/\">志愿服务专刊</a>（1期）"))
        #expect(try site.read("series/志愿服务专刊/index.html").contains("<h1 class=\"page-title\">志愿服务专刊</h1>"))
        #expect(try site.read("index.html").contains("<a href=\"./series/\">系列</a>"))
    }

    @Test func singleSeriesSitesHaveNoSeriesPages() async throws {
        let site = try TemporarySite(["content/site.yaml": defaultSiteYAML, "content/a.md": bulletinFile()])
        defer { site.remove() }
        #expect(await site.build().succeeded)
        #expect(!FileManager.default.fileExists(atPath: site.output.appending(path: "series").path))
    }

    @Test func schemaDescribesExactlyTheKnownKeys() throws {
        let schema = try JSONSerialization.jsonObject(with: Data(FrontMatterSchema.json.utf8)) as! [String: Any]
        let properties = schema["properties"] as! [String: Any]
        #expect(Set(properties.keys) == Set(BulletinDecoder.knownKeys))
        let stat = ((properties["stats"] as! [String: Any])["items"] as! [String: Any])["properties"] as! [String: Any]
        #expect(Set(stat.keys) == Set(BulletinDecoder.statKeys))
        let exemplar = ((properties["exemplars"] as! [String: Any])["items"] as! [String: Any])["properties"] as! [String: Any]
        #expect(Set(exemplar.keys) == Set(BulletinDecoder.exemplarKeys))
    }
}

@Suite struct TextWidthSettingTests {
    @Test func textWidthInSiteYAMLChangesTheEdition() async throws {
        let body = "## 一、标题\n\n" + String(repeating: "志愿服务", count: 20) + "。\n"
        let site = try TemporarySite([
            "content/site.yaml": defaultSiteYAML + "text_width: 40\n",
            "content/a.md": bulletinFile(body: body),
        ])
        defer { site.remove() }
        #expect(await site.build().succeeded)
        let lines = try site.read("bulletins/2017/1/bulletin.txt").split(separator: "\n")
        #expect(lines.allSatisfy { DisplayWidth.of($0) <= 40 })
        #expect(lines.contains { DisplayWidth.of($0) == 40 })
    }
}

@Suite struct DataExportTests {
    struct Sample: Encodable {
        var name: String
        var values: [Int]
        var note: String?
        var nested: [String: [String]]
    }

    /// The export encodes one record at a time; the bytes must be those of encoding the whole array.
    @Test(arguments: [0, 1, 3])
    func anArrayEncodedRecordByRecordIsTheWholeArraysEncoding(count: Int) throws {
        let samples = (0..<count).map { index in
            Sample(name: "记录 \(index)\nline \"two\" / </script>", values: Array(0..<index), note: index == 1 ? nil : "备注",
                   nested: index == 2 ? [:] : ["b": ["x", "y\n"], "a": []])
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let whole = try encoder.encode(samples)
        #expect(Array(DataExport.prettyJSONArray(count: count, encoder: encoder) { samples[$0] }.joined()) == Array(whole))
    }
}
