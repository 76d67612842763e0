import BulletinMarkdown
import BulletinModel
import BulletinSite
@testable import BulletinText
import Foundation
import Testing

@Suite struct LineBreakerTests {
    @Test func fillsLinesToTheWidthInDisplayColumns() {
        #expect(LineBreaker.wrap("一二三四五六七八九十", width: 8) == ["一二三四", "五六七八", "九十"])
        #expect(LineBreaker.wrap("abc def ghi", width: 7) == ["abc def", "ghi"])
    }

    @Test func closingPunctuationNeverStartsALine() {
        #expect(LineBreaker.wrap("一二三，四五", width: 6) == ["一二", "三，四", "五"])
        #expect(LineBreaker.wrap("一二三”。四", width: 6) == ["一二", "三”。", "四"])
    }

    @Test func openingPunctuationNeverEndsALine() {
        #expect(LineBreaker.wrap("一二“三四”", width: 6) == ["一二", "“三", "四”"])
        #expect(LineBreaker.wrap("一二《三》", width: 6) == ["一二", "《三》"])
    }

    @Test func numbersStayWithTheirUnits() {
        #expect(LineBreaker.wrap("共有27093户家庭", width: 8) == ["共有", "27093户", "家庭"])
        #expect(LineBreaker.wrap("时数达19.4万小时", width: 12) == ["时数达", "19.4万小时"])
        #expect(LineBreaker.wrap("赠送25000余册书", width: 10) == ["赠送", "25000余册", "书"])
    }

    @Test func latinWordsAndURLsAreNotSplit() {
        #expect(LineBreaker.wrap("见 https://zyz.example.org/path 网站", width: 12) == ["见", "https://zyz.example.org/path", "网站"])
        #expect(LineBreaker.wrap("手机APP应用", width: 6) == ["手机", "APP应", "用"])
    }

    @Test func wideAndNarrowMixes() {
        #expect(LineBreaker.wrap("２０２４年😀志愿", width: 6) == ["２０２", "４年😀", "志愿"])
        #expect(DisplayWidth.of("２０２") == 6)
    }

    @Test func prefixesAndHardBreaks() {
        #expect(LineBreaker.wrap("一二三四五六\n七", width: 8, firstPrefix: "　　", restPrefix: "") == ["　　一二", "三四五六", "七"])
    }

    @Test func randomTextKeepsEveryRule() {
        var generator = SeededGenerator(seed: 305)
        let fragments = ["志愿服务", "，", "。", "“小青荷”", "《条例》", "、", "27093户", "19.4万小时", "G20", " ", "APP",
                         "https://example.org/a/b", "（总第305期）", "……", "——", "２０１７年", "😀", "e\u{301}", "：", "！", "杭州"]
        for _ in 0..<400 {
            let text = (0..<Int.random(in: 5...60, using: &generator))
                .map { _ in fragments.randomElement(using: &generator)! }.joined()
            let width = Int.random(in: 10...60, using: &generator)
            let lines = LineBreaker.wrap(text, width: width)
            TextProperties.check(lines, width: width, source: text)
        }
    }
}

/// Properties every laid-out text must have.
enum TextProperties {
    static func check(_ lines: [String], width: Int, source: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        for (number, line) in lines.enumerated() {
            let content = String(line.drop { $0 == "\u{3000}" })
            if DisplayWidth.of(line) > width {
                #expect(LineBreaker.atoms(of: content).count == 1,
                        "line wider than \(width) holds more than one token: \(line)", sourceLocation: sourceLocation)
            }
            #expect(line.last != " ", "trailing space: \(line)", sourceLocation: sourceLocation)
            let startsSource = number == 0 && content.unicodeScalars.first == stripped(source).unicodeScalars.first
            if let first = content.unicodeScalars.first, !startsSource {
                #expect(!LineBreakerRules.closing.contains(first), "line starts with \(first): \(line)", sourceLocation: sourceLocation)
            }
            if let last = line.unicodeScalars.last {
                #expect(!LineBreakerRules.opening.contains(last), "line ends with \(last): \(line)", sourceLocation: sourceLocation)
            }
        }
        #expect(stripped(lines.joined()) == stripped(source), "text lost or added", sourceLocation: sourceLocation)
    }

    static func stripped(_ text: String) -> String {
        String(text.unicodeScalars.filter { !$0.properties.isWhitespace })
    }
}

enum LineBreakerRules {
    static let closing = Set("，。、；：？！）》」』】〕…—”’％".unicodeScalars)
    static let opening = Set("（《「『【〔“‘".unicodeScalars)
}

/// A small deterministic generator (SplitMix64) so generated cases are the same on every run.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite struct TextEditionTests {
    private func sampleEdition() async throws -> String {
        let output = FileManager.default.temporaryDirectory.appending(path: "bulletin-text-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: output) }
        let report = await SiteBuilder.build(BuildOptions(source: repositoryRoot, destination: output))
        #expect(report.succeeded)
        return try String(contentsOf: output.appending(path: "bulletins/2017/305/bulletin.txt"), encoding: .utf8)
    }

    @Test func the305EditionMatchesGolden() async throws {
        try expectGolden(try await sampleEdition(), "305.txt")
    }

    @Test func the305EditionKeepsTheRulesAtEveryWidth() throws {
        let file = repositoryRoot.appending(path: "content/bulletins/2017/305.md")
        let source = SourceText(path: "305.md", text: try String(contentsOf: file, encoding: .utf8))
        let body = String(source.text.split(separator: "---\n", maxSplits: 2)[1])
        let blocks = MarkdownRenderer.render(body, source: source, firstLine: 1).textBlocks
        let sourceText = blocks.map(\.text).joined()
        for width in [24, 40, 56, 72] {
            TextProperties.check(TextEdition.renderBody(blocks, width: width), width: width, source: sourceText)
        }
    }

    @Test func editionIsPlainAndWellFormed() async throws {
        let text = try await sampleEdition()
        #expect(text.hasSuffix("\n") && !text.hasSuffix("\n\n"))
        #expect(!text.contains("\r"))
        #expect(!text.split(separator: "\n").contains { $0.last == " " })
        #expect(text.split(separator: "\n").allSatisfy { DisplayWidth.of($0) <= 56 })
        for figure in ["27,093", "19.4万", "989,258.5", "施志平", "报：省文明办", "第1期（总第305期）"] {
            #expect(text.contains(figure))
        }
    }

    @Test func listsQuotesLinksAndCode() {
        let markdown = """
            ## 一、标题

            正文见[志愿杭州网](https://zyz.example.org)。

            1. 第一项内容比较长需要换行才能放下
            2. 第二项
               - 子项

            > 引用的话

            ```
            let x = 1
            ```

            ---

            ## 二、下一节
            """
        let source = SourceText(path: "a.md", text: markdown)
        let blocks = MarkdownRenderer.render(markdown, source: source, firstLine: 1).textBlocks
        #expect(TextEdition.renderBody(blocks, width: 20) == [
            "一、标题",
            "",
            "　　正文见志愿杭州网",
            "[1]。",
            "1. 第一项内容比较长",
            "   需要换行才能放下",
            "2. 第二项",
            "   • 子项",
            "> 引用的话",
            "",
            "    let x = 1",
            "",
            "     ＊　＊　＊",
            "",
            "[1] https://zyz.example.org",
            "",
            "二、下一节",
        ])
    }
}
