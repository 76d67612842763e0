import BulletinModel
import BulletinSite
import Foundation
import Testing

/// Each broken input gets one diagnostic naming the file, line and column, and the build fails without
/// writing anything.
@Suite struct BadInputTests {
    private func diagnostics(_ files: [String: String], bytes: [String: [UInt8]] = [:]) async throws -> [String] {
        var all = files
        all["content/site.yaml"] = all["content/site.yaml"] ?? defaultSiteYAML
        let site = try TemporarySite(all, bytes: bytes)
        defer { site.remove() }
        let report = await site.build()
        if report.diagnostics.hasErrors {
            #expect(!report.succeeded)
            #expect(!FileManager.default.fileExists(atPath: site.output.path), "a failed build must write nothing")
        }
        return report.diagnostics.map(\.description)
    }

    private func diagnostics(for bulletin: String) async throws -> [String] {
        try await diagnostics(["content/a.md": bulletin])
    }

    @Test func missingRequiredField() async throws {
        #expect(try await diagnostics(for: "---\nissue: 1\ndate: 2017-03-07\n---\n正文\n") == [
            "content/a.md:1:1: error: missing required field 'title' (the headline of the lead article)",
        ])
    }

    @Test func missingSeriesWithoutSiteDefault() async throws {
        let result = try await diagnostics([
            "content/site.yaml": "title: 无默认\n",
            "content/a.md": "---\ntitle: 标题\nissue: 1\ndate: 2017-03-07\npublishers: [某办]\n---\n",
        ])
        #expect(result == [
            "content/a.md:1:1: error: missing required field 'series' (the bulletin's name; or set a default 'series' in content/site.yaml)",
        ])
    }

    @Test func wrongTypes() async throws {
        let file = "---\ntitle: 标题\nissue: abc\ndate: 2017-03-07\ntags: {a: b}\ntitle2: x\n---\n"
        #expect(try await diagnostics(for: file) == [
            "content/a.md:3:8: error: 'issue' must be a whole number (第 N 期, counted from 1 each year), found 'abc'",
            "content/a.md:5:7: error: 'tags' must be a list of texts, found a mapping",
            "content/a.md:6:1: warning: unknown key 'title2' in the front matter; did you mean 'title'?",
        ])
    }

    @Test func impossibleDate() async throws {
        #expect(try await diagnostics(for: bulletinFile(date: "2024-02-30")) == [
            "content/a.md:4:7: error: 'date': 2024-02-30 is not a day on the calendar (that month has 29 days)",
        ])
        #expect(try await diagnostics(for: bulletinFile(date: "2017/03/07")) == [
            "content/a.md:4:7: error: 'date' must be a date written YYYY-MM-DD, such as 2017-03-07, found '2017/03/07'",
        ])
    }

    @Test func fullWidthColon() async throws {
        #expect(try await diagnostics(for: "---\ntitle：坚持“四化”标准\nissue: 1\ndate: 2017-03-07\n---\n") == [
            "content/a.md:2:6: error: full-width colon '：' after key 'title'; write an ASCII colon and a space, as in 'title: …' (键名后请使用半角冒号“:”并加空格)",
        ])
    }

    @Test func tabIndentation() async throws {
        let file = "---\ntitle: 标题\nissue: 1\ndate: 2017-03-07\npublishers:\n\t- 某办\n---\n"
        #expect(try await diagnostics(for: file) == [
            "content/a.md:6:1: error: tab used for indentation; YAML indents with spaces only (缩进请使用空格，不要使用 Tab 键)",
        ])
    }

    @Test func duplicateKey() async throws {
        let file = "---\ntitle: 标题\nissue: 1\ndate: 2017-03-07\ntitle: 另一个标题\n---\n"
        #expect(try await diagnostics(for: file) == [
            "content/a.md:5:1: error: duplicate key 'title': it is already set on line 2; a key may appear only once in a mapping",
        ])
    }

    @Test func noClosingFence() async throws {
        #expect(try await diagnostics(for: "---\ntitle: 标题\nissue: 1\n\n正文\n") == [
            "content/a.md:1:1: error: front matter opened with '---' on line 1 has no closing '---' line",
        ])
    }

    @Test func invalidUTF8() async throws {
        let bytes = Array("---\ntitle: 标题\nissue: ".utf8) + [0xFF, 0xFE] + Array("1\ndate: 2017-03-07\n---\n".utf8)
        #expect(try await diagnostics([:], bytes: ["content/a.md": bytes]) == [
            "content/a.md:3:8: error: the file is not valid UTF-8 (byte offset 25); save it as UTF-8 (文件须以 UTF-8 编码保存)",
        ])
    }

    @Test func zeroByteFile() async throws {
        #expect(try await diagnostics(for: "") == [
            "content/a.md:1:1: error: the file is empty; a bulletin starts with front matter between '---' lines",
        ])
    }

    @Test func fileOverOneMebibyte() async throws {
        let big = bulletinFile(body: String(repeating: "志愿服务。\n", count: 70_000))
        #expect(try await diagnostics(for: big) == [
            "content/a.md:1:1: error: the file is larger than 1 MiB, the limit for one bulletin (max_file_size in site.yaml)",
        ])
    }

    @Test func yamlAliasBomb() async throws {
        var lines = ["---", "a0: &a0 [x, x, x, x, x, x, x, x, x]"]
        for level in 1..<9 { lines.append("a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 9).joined(separator: ", ") + "]") }
        lines += ["title: 标题", "issue: 1", "date: 2017-03-07", "---"]
        #expect(try await diagnostics(for: lines.joined(separator: "\n") + "\n") == [
            "content/a.md:2:5: error: YAML anchors and aliases ('&name', '*name') are not allowed in front matter; write each value out in full",
        ])
    }

    @Test func aliasAsKey() async throws {
        let file = "---\ntitle: &t 标题\n*t : x\nissue: 1\ndate: 2017-03-07\n---\n"
        #expect(try await diagnostics(for: file) == [
            "content/a.md:2:8: error: YAML anchors and aliases ('&name', '*name') are not allowed in front matter; write each value out in full",
        ])
    }

    @Test func twoFilesWithTheSameIdentity() async throws {
        let result = try await diagnostics([
            "content/a.md": bulletinFile(title: "甲"),
            "content/b.md": bulletinFile(title: "乙"),
        ])
        #expect(result == [
            "content/b.md:3:8: error: 测试精神文明建设·信息交流 2017年第1期 is claimed by two files: this one and content/a.md:3:8; give each bulletin its own issue number",
        ])
    }

    @Test func twoFilesWithTheSameSerial() async throws {
        let result = try await diagnostics([
            "content/a.md": bulletinFile(title: "甲", issue: 1, serial: 305),
            "content/b.md": bulletinFile(title: "乙", issue: 2, serial: 305),
        ])
        #expect(result == [
            "content/b.md:4:9: error: serial 总第305期 of 测试精神文明建设·信息交流 is used by two files: this one and content/a.md:4:9; serials must be unique within a series",
        ])
    }

    @Test func valuesOutsideTheContract() async throws {
        let file = """
            ---
            title: 标题
            issue: 0
            date: 2017-03-07
            stats:
              - key: Family Households
                label: 家庭
                value: 1:20
                unit: 户
            exemplars:
              - name: 某校
                kind: school
                honor: 先进
            ---

            """
        #expect(try await diagnostics(for: file) == [
            "content/a.md:3:8: error: 'issue' must be 1 or more (第 N 期, counted from 1 each year), found 0",
            "content/a.md:6:10: error: stat key 'Family Households' may use only a-z, 0-9 and _ (for example family_volunteer_households)",
            "content/a.md:12:11: error: exemplar kind 'school' is not one of organization (组织), project (项目), community (社区), person (个人)",
        ])
    }

    @Test func sexagesimalNumberIsAnError() async throws {
        let file = "---\ntitle: 标题\nissue: 1\ndate: 2017-03-07\nstats:\n  - key: hours\n    label: 时长\n    value: 1:20\n    unit: 小时\n---\n"
        #expect(try await diagnostics(for: file) == [
            "content/a.md:8:12: error: 'value' must be a number such as 27093, 27,093, 989258.5 or 19.4万, found '1:20'",
        ])
    }

    @Test func allProblemsOfABuildAreReportedInOneRun() async throws {
        let result = try await diagnostics([
            "content/a.md": bulletinFile(date: "2017-02-30"),
            "content/b.md": "",
            "content/c/d.md": "---\ntitle：x\n---\n",
        ])
        #expect(result.map { String($0.prefix(17)) } == ["content/a.md:4:7:", "content/b.md:1:1:", "content/c/d.md:2:"])
    }
}
