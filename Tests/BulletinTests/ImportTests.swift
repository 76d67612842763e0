@testable import BulletinImport
import BulletinModel
import Foundation
import Testing

@Suite struct ImportTests {
    private static let fixtures = repositoryRoot.appending(path: "Tests/BulletinTests/Fixtures/import")

    private func importFixture(_ name: String, options: ImportOptions = ImportOptions()) throws -> ImportedBulletin {
        let bytes = Array(try Data(contentsOf: Self.fixtures.appending(path: name)))
        let decoded = try TextDecoding.decode(bytes).get()
        return Importer.importText(decoded.text, sourceName: name, encoding: decoded.encoding.rawValue, options: options)
    }

    @Test func theSeedBecomesABulletinToReviewNotRetype() throws {
        let imported = try importFixture("seed-305.txt")
        let markdown = imported.markdown
        for line in ["title: 坚持“四化”标准 努力打造志愿服务的铁军排头兵", "series: 杭州精神文明建设·信息交流", "issue: 1\n", "serial: 305\n",
                     "date: 2017-03-07\n", "  - 杭州市精神文明建设委员会办公室\n", "  - 杭州市精神文明建设研究会\n"] {
            #expect(markdown.contains(line), "missing \(line)")
        }
        #expect(markdown.components(separatedBy: "\n## ").count - 1 == 4, "four sections")
        for (key, value) in [("family_volunteer_households", "27093"), ("family_volunteer_members", "75908"),
                             ("family_volunteer_hours", "989258.5"), ("summit_volunteer_hours", "19.4万")] {
            #expect(markdown.contains("  - key: \(key)\n") && markdown.contains("    value: \(value)"), "\(key) \(value)")
        }
        for name in ["杭州西湖志愿者服务总队", "公羊会公益救援促进会", "G20峰会“小青荷”志愿服务项目", "萧山区北干街道北干一苑社区",
                     "江干区九堡街道兴安社区", "施志平"] {
            #expect(markdown.contains("  - name: \(name)\n"), "exemplar \(name)")
        }
        #expect(markdown.contains("    conferred_by: 中宣部"))
        #expect(imported.relativePath == "2017/305.md")
        #expect(imported.report.missing.isEmpty)
    }

    @Test func theSeedsTextSurvivesCharacterForCharacter() throws {
        let seed = try String(contentsOf: Self.fixtures.appending(path: "seed-305.txt"), encoding: .utf8)
        let seedBody = String(seed[seed.range(of: "坚持“四化”标准 努力打造志愿服务的铁军排头兵")!.upperBound...])
        let imported = try importFixture("seed-305.txt").markdown
        let body = String(imported[imported.range(of: "\n---\n")!.upperBound...]).replacingOccurrences(of: "## ", with: "")
        func comparable(_ text: String) -> String {
            String(text.unicodeScalars.filter { !$0.properties.isWhitespace }.map { scalar -> Character in
                Character(Punctuation.fullWidth[Character(scalar)].map { $0.unicodeScalars.first! } ?? scalar)
            })
        }
        #expect(comparable(body) == comparable(seedBody))
    }

    @Test func theImportedSeedBuilds() async throws {
        let imported = try importFixture("seed-305.txt")
        let site = try TemporarySite(["content/bulletins/\(imported.relativePath)": imported.markdown])
        defer { site.remove() }
        let report = await site.build()
        #expect(report.succeeded)
        #expect(!report.diagnostics.hasErrors)
        #expect(try site.read("bulletins/2017/305/index.html").contains("<data value=\"194000\">19.4万</data>"))
    }

    @Test func mastheadVariantsPageNumbersHeadersAndTheDistributionBlock() throws {
        let imported = try importFixture("variant-masthead.txt")
        let markdown = imported.markdown
        #expect(markdown.contains("series: 示例市文明办简报\n"))
        #expect(markdown.contains("issue: 12\n"))
        #expect(markdown.contains("serial: 1234\n"))
        #expect(markdown.contains("date: 2019-12-05\n"))
        #expect(markdown.contains("  - 示例市精神文明建设委员会办公室\n"))
        #expect(markdown.contains("title: 关于推进文明实践站建设的情况通报\n"), "a title over two lines")
        #expect(markdown.contains("截至目前共建成实践站1204个，覆盖全部街道。"), "joined across a line break, spaces and commas fixed")
        #expect(markdown.contains("一是健全机制，二是丰富活动，三是强化考核。"), "joined across a page number and a repeated header")
        #expect(!markdown.contains("- 2 -") && !markdown.contains("— 3 —"))
        #expect(markdown.components(separatedBy: "示例市文明办简报").count - 1 == 1, "the repeated page header is gone")
        #expect(markdown.contains("### （一）主要做法。\n"))
        #expect(markdown.contains("\n1. 加强督查。\n"), "1. sections stay text")
        #expect(markdown.contains("  report_to: [省文明办]\n  send_to: [各区文明办, 市文明委各成员单位]\n"))
        #expect(markdown.contains("# import: 版记 says 共印200份"))
        #expect(markdown.contains("  - name: 东城区春风社区\n    kind: community\n    honor: 全国文明社区\n"), "X获Y称号")
        #expect(markdown.contains("# import: check — generated key"))
    }

    @Test func keepPunctuationLeavesASCIIPunctuationAlone() throws {
        let normalized = try importFixture("seed-305.txt").markdown
        let kept = try importFixture("seed-305.txt", options: ImportOptions(keepPunctuation: true)).markdown
        #expect(normalized.contains("座谈会精神，立足"))
        #expect(kept.contains("座谈会精神,立足"))
    }

    @Test func gbkTextAndSupplements() throws {
        let imported = try importFixture("supplement-gbk.txt")
        #expect(imported.report.format == "GB18030 text")
        #expect(imported.markdown.contains("issue: 3   # import: check — 增刊 (supplement)"))
        #expect(imported.markdown.contains("date: 2020-05-04\n"))
        #expect(imported.report.missing == ["serial"])
        #expect(!imported.markdown.contains("\u{FFFD}"))
    }

    @Test func undecodableBytesAreAnErrorWithTheirOffset() {
        guard case .failure(let failure) = TextDecoding.decode(Array("bad ".utf8) + [0xFF, 0xFF]) else {
            Issue.record("decoded bytes that are neither UTF-8 nor GB18030")
            return
        }
        #expect(failure.offset == 4)
    }

    @Test(arguments: [
        ("2017 年 3 月 7 日", "2017-03-07"), ("2017年3月7日", "2017-03-07"), ("二〇一七年三月七日", "2017-03-07"),
        ("2017-03-07", "2017-03-07"), ("2017.3.7", "2017-03-07"), ("二〇二〇年十二月三十一日", "2020-12-31"),
    ])
    func datesInEveryCommonForm(text: String, iso: String) {
        #expect(DateText.find(in: text)?.0.iso == iso)
    }

    @Test func chineseNumerals() {
        #expect(ChineseNumbers.value("十二") == 12)
        #expect(ChineseNumbers.value("二十一") == 21)
        #expect(ChineseNumbers.value("一百零五") == 105)
        #expect(ChineseNumbers.value("３０５") == 305)
    }
}

@Suite struct ImportCommandTests {
    @Test func siteVocabularyNamesMeasuresTheBuiltInOneDoesNot() throws {
        let site = try TemporarySite([
            "content/site.yaml": "import_vocabulary:\n  - key: practice_stations\n    keywords: [实践站]\n    unit: 个\n",
        ])
        defer { site.remove() }
        let fixture = repositoryRoot.appending(path: "Tests/BulletinTests/Fixtures/import/variant-masthead.txt").path
        let run = try CLITests.run(["import", fixture, "--dry-run", "--source", site.root.path])
        #expect(run.stdout.contains("  - key: practice_stations\n"))
        #expect(!run.stdout.contains("imported_stat_1"))
    }

    @Test func batchWritesDeterministicNamesNeverOverwritesAndReportsFailures() throws {
        let site = try TemporarySite()
        defer { site.remove() }
        let into = site.root.appending(path: "content/bulletins").path
        let archive = site.root.appending(path: "archive")
        try FileManager.default.createDirectory(at: archive, withIntermediateDirectories: true)
        for name in ["broken-encoding.txt", "seed-305.txt", "supplement-gbk.txt", "variant-masthead.txt"] {
            try FileManager.default.copyItem(at: repositoryRoot.appending(path: "Tests/BulletinTests/Fixtures/import/\(name)"), to: archive.appending(path: name))
        }
        let fixtures = archive.path
        let first = try CLITests.run(["import", fixtures, "--into", into])
        #expect(first.status == 2, "broken-encoding.txt fails, the others are imported")
        #expect(first.stderr.contains("broken-encoding.txt: neither UTF-8 nor GB18030 text (undecodable byte at offset 4)"))
        #expect(first.stderr.contains("Imported 3 of 4 files."))
        let files = TemporarySite.snapshot(site.root.appending(path: "content/bulletins")).keys.sorted()
        #expect(files == ["2017/305.md", "2019/1234.md", "2020/3.md"])
        let again = try CLITests.run(["import", fixtures + "/seed-305.txt", "--into", into])
        #expect(again.status == 2)
        #expect(again.stderr.contains("already exists (use --force to overwrite)"))
        #expect(try CLITests.run(["import", fixtures + "/seed-305.txt", "--into", into, "--force"]).status == 0)
        let dry = try CLITests.run(["import", fixtures + "/seed-305.txt", "--dry-run", "--into", into + "/elsewhere"])
        #expect(dry.status == 0)
        #expect(dry.stdout.hasPrefix("---\ntitle: 坚持“四化”标准"))
        #expect(!FileManager.default.fileExists(atPath: into + "/elsewhere"))
    }
}
