import BulletinFrontMatter
import BulletinModel
import Testing

@Suite struct FrontMatterTests {
    private let site = SiteConfig(series: "默认系列", publishers: ["默认单位"])

    private func decode(_ yamlLines: String, body: String = "正文\n") -> DecodedBulletin {
        BulletinDecoder.decode(SourceText(path: "a.md", text: "---\n\(yamlLines)---\n\(body)"), site: site)
    }

    @Test func decodesTheContractExample() throws {
        let result = decode("""
            title: 标题
            issue: 1
            serial: 305
            date: 2017-03-07
            tags: 志愿服务
            stats:
              - key: summit_volunteer_hours
                label: 峰会志愿服务时数
                value: 19.4万
                unit: 小时
                as_of: 2016-12-31
            exemplars:
              - name: 施志平
                kind: person
                honor: 标兵
                year: 2016
            distribution:
              report_to: [省文明办]
              send_to: 各区文明办

            """)
        #expect(result.diagnostics.isEmpty)
        let bulletin = try #require(result.bulletin)
        #expect(bulletin.series == "默认系列")
        #expect(bulletin.publishers == ["默认单位"])
        #expect(bulletin.tags == ["志愿服务"])
        #expect(bulletin.stats.first?.value.plain == "194000")
        #expect(bulletin.stats.first?.asOf?.iso == "2016-12-31")
        #expect(bulletin.exemplars.first?.kind == .person)
        #expect(bulletin.distribution.sendTo == ["各区文明办"])
        #expect(bulletin.issueLabel == "第1期（总第305期）")
        #expect(result.bodyFirstLine == 22)
        #expect(result.body == "正文\n")
    }

    @Test(arguments: [
        "title: A & B 与 C",
        "title: \"*重要* 的 &事\"",
        "title: '它''s *ok*'",
        "summary: |\n  *强调* 与 &符号\n  - 列表样式\n",
        "summary: >-\n  &nbsp; *x*\n",
        "tags: [\"*a\", '&b', c*]",
        "title: 3 * 4",
    ])
    func ampersandsAndAsterisksInTextAreNotAnchors(line: String) {
        let result = decode("issue: 1\ndate: 2017-03-07\ntitle: t\n" + line.replacingOccurrences(of: "title: t\n", with: "") + "\n")
        #expect(!result.diagnostics.contains { $0.message.contains("anchors") }, "\(result.diagnostics)")
    }

    @Test func deepFlowNestingIsRejectedBeforeParsing() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        let result = decode("title: t\nissue: 1\ndate: 2017-03-07\ntags: \(deep)\n")
        #expect(result.diagnostics.map(\.description) == [
            "a.md:5:39: error: front matter is nested deeper than 32 levels of brackets",
        ])
    }

    @Test func yamlSyntaxErrorsAreLocatedInTheFile() {
        let result = decode("title: t\nissue: 1\ndate: 2017-03-07\ntags: [a, b\n")
        #expect(result.diagnostics.count == 1)
        #expect(result.diagnostics.first?.location?.line ?? 0 >= 5)
        #expect(result.diagnostics.first?.message.hasPrefix("invalid YAML: ") == true)
    }

    @Test func unquotedColonValueGetsAHint() {
        let result = decode("title: 主题: 志愿服务\nissue: 1\ndate: 2017-03-07\n")
        #expect(result.diagnostics.map(\.description) == [
            "a.md:2:10: error: invalid YAML: mapping values are not allowed in this context (a value that contains ': ' must be quoted, as in title: \"…\")",
        ])
    }

    @Test func siteConfigDefaultsAndErrors() {
        let (config, diagnostics) = SiteConfigDecoder.decode(SourceText(
            path: "content/site.yaml", text: "title: 站点\nbase_url: example.org\ntime_zone: Mars/Olympus\npage_size: 0\ntext_widht: 40\n"))
        #expect(config.title == "站点")
        #expect(config.baseURL == nil)
        #expect(config.pageSize == 20)
        #expect(diagnostics.sortedForOutput().map(\.description) == [
            "content/site.yaml:2:11: error: 'base_url' must be an absolute http(s) URL such as https://example.org/bulletins/, found 'example.org'",
            "content/site.yaml:3:12: error: 'time_zone' must be an IANA time zone such as Asia/Shanghai, found 'Mars/Olympus'",
            "content/site.yaml:4:12: error: 'page_size' must be 1 or more (entries per page), found 0",
            "content/site.yaml:5:1: warning: unknown key 'text_widht' in site.yaml; did you mean 'text_width'?",
        ])
    }
}
