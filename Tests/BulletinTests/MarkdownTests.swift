import BulletinMarkdown
import BulletinModel
import Testing

@Suite struct MarkdownTests {
    private func render(_ markdown: String, unsafe: Bool = false) -> RenderedMarkdown {
        let source = SourceText(path: "content/a.md", text: "---\n---\n" + markdown)
        return MarkdownRenderer.render(markdown, source: source, firstLine: 3, options: MarkdownOptions(unsafeHTML: unsafe))
    }

    @Test func softBreakBetweenChineseCharactersAddsNoSpace() {
        #expect(render("高度\n重视").html == "<p>高度重视</p>\n")
        #expect(render("一是，\n高度").html == "<p>一是，高度</p>\n")
        #expect(render("Hangzhou\ncity").html == "<p>Hangzhou\ncity</p>\n")
    }

    @Test(arguments: [
        ("举行**“河小二”**助力", "<p>举行<strong>“河小二”</strong>助力</p>\n"),
        ("G20 峰会**“小青荷”**志愿服务", "<p>G20 峰会<strong>“小青荷”</strong>志愿服务</p>\n"),
        ("**一是**，高度重视", "<p><strong>一是</strong>，高度重视</p>\n"),
        ("这是**“[链接](https://a.cn)”**的", "<p>这是<strong>“<a href=\"https://a.cn\">链接</a>”</strong>的</p>\n"),
        ("转义\\*\\*不是粗体\\*\\*", "<p>转义**不是粗体**</p>\n"),
        ("`**代码**`里", "<p><code>**代码**</code>里</p>\n"),
        ("单个**星号", "<p>单个**星号</p>\n"),
    ])
    func boldNextToChinesePunctuation(markdown: String, html: String) {
        #expect(render(markdown).html == html)
    }

    @Test func headingsGetStableUniqueIDs() {
        let result = render("## 一、志愿服务制度化组成“一盘棋”\n\n## Section One\n\n## Section One\n")
        #expect(result.headings.map(\.id) == ["一志愿服务制度化组成一盘棋", "section-one", "section-one-2"])
        #expect(result.html.hasPrefix("<h2 id=\"一志愿服务制度化组成一盘棋\">一、志愿服务制度化组成“一盘棋”</h2>\n"))
    }

    @Test func rawHTMLIsOmittedWithAWarningNamingTheLine() {
        let result = render("正文\n\n<script>alert(1)</script>\n\n段落<b>粗</b>\n")
        #expect(!result.html.contains("<script"))
        #expect(!result.html.contains("<b>"))
        #expect(result.diagnostics.map(\.description) == [
            "content/a.md:5:1: warning: raw HTML omitted: <script>alert(1)</script> (set unsafe_html: true in site.yaml to keep raw HTML)",
            "content/a.md:7:3: warning: raw HTML omitted: <b> (set unsafe_html: true in site.yaml to keep raw HTML)",
            "content/a.md:7:7: warning: raw HTML omitted: </b> (set unsafe_html: true in site.yaml to keep raw HTML)",
        ])
    }

    @Test func rawHTMLIsKeptWhenTheSiteOptsIn() {
        #expect(render("段落<b>粗</b>", unsafe: true).html == "<p>段落<b>粗</b></p>\n")
    }

    @Test func javascriptLinksAreNeutralised() {
        let result = render("[点我](javascript:alert(1)) 和 [好](https://example.org)", unsafe: true)
        #expect(result.html == "<p><a href=\"\">点我</a> 和 <a href=\"https://example.org\">好</a></p>\n")
        #expect(result.diagnostics.count == 1)
    }

    @Test func plainTextKeepsTheWords() {
        #expect(render("## 标题\n\n**一是**，高度\n重视。").plainText == "标题\n一是，高度重视。")
    }

    @Test func textBlocksKeepStructureAndLinks() {
        let blocks = render("""
            ## 一、标题

            见[志愿杭州网](https://zyz.example)和![图](a.png "t")说明。

            > 引用
            > 1. 第一项
            >    - 子项

            ---

            ```
            code  line
            ```
            """).textBlocks
        #expect(blocks.map(\.kind) == [.heading(level: 2), .paragraph, .paragraph, .paragraph, .paragraph, .thematicBreak, .code])
        #expect(blocks[1].text == "见志愿杭州网和【图】图说明。")
        #expect(blocks[1].textWithNoteMarkers == "见志愿杭州网[1]和【图】图说明。")
        #expect(blocks[1].notes == [LinkNote(number: 1, url: "https://zyz.example", offset: 18)])
        #expect(blocks[3].containers == [.quote, .item(marker: "1.", isFirstBlock: true)])
        #expect(blocks[4].containers == [.quote, .item(marker: "1.", isFirstBlock: false), .item(marker: "•", isFirstBlock: true)])
        #expect(blocks[6].text == "code  line")
    }
}
