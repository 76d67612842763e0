import BulletinModel
import Foundation

/// The lines of a source after clean-up: page numbers and repeated page headers gone, ASCII punctuation inside
/// Chinese text made full-width, spaces between Chinese and Latin or digits removed; the 版记 block at the end,
/// imprint lines (准印号, 责任编辑, 投稿邮箱…) and the 附件 list separated out.
struct ExtractedLines {
    var lines: [SourceLine]
    var distributionLines: [String] = []
    /// `共印N份`.
    var copies: Int?
    /// Imprint lines, kept as comments.
    var imprint: [String] = []
    /// The 附件说明: `附件：1.…` and the numbered lines after it.
    var attachments: [String] = []

    static func clean(_ source: [SourceLine], keepPunctuation: Bool) -> ExtractedLines {
        var lines = source.map { line -> SourceLine in
            var line = line
            line.text = trim(line.text)
            if isPageNumber(line.text) { line.text = "" }
            if !keepPunctuation { line.text = Punctuation.normalize(line.text) }
            return line
        }
        var counts: [String: Int] = [:]
        for line in lines where !line.text.isEmpty && line.text.count <= 30 { counts[line.text, default: 0] += 1 }
        var seen: Set<String> = []
        for index in lines.indices {
            let text = lines[index].text
            guard counts[text, default: 0] >= 3, isHeaderLike(text) else { continue }
            if index >= 12 || seen.contains(text) { lines[index].text = "" }
            seen.insert(text)
        }
        var result = ExtractedLines(lines: lines)
        if let start = distributionBlockStart(lines.map { $0.isBlank || !$0.text.isEmpty ? $0.text : "\u{FFFC}" }) {
            let block = lines[start...].map(\.text).filter { !$0.isEmpty && !isRule($0) }
            result.distributionLines = block.filter { !isImprint($0) || $0.contains("共印") }
            result.imprint = block.filter { isImprint($0) && !$0.contains("共印") }
            result.lines = Array(lines[..<start])
        }
        for line in result.distributionLines {
            if let match = line.firstMatch(of: /共印\s*([0-9]+)\s*份/) { result.copies = Int(match.1) }
        }
        result.lines.removeAll { isRule($0.text) }
        result.separateImprintAndAttachments()
        return result
    }

    /// Moves imprint lines and the 附件 list out of the lines.
    private mutating func separateImprintAndAttachments() {
        var kept: [SourceLine] = []
        var inAttachments = false
        for line in lines {
            let text = line.text
            if Self.isImprint(text) {
                imprint.append(text)
                continue
            }
            if text.firstMatch(of: /^附\s*件\s*[0-9０-９]*\s*[：:]/) != nil {
                attachments.append(text)
                inAttachments = true
                continue
            }
            if inAttachments, text.firstMatch(of: /^[0-9０-９]{1,2}\s*[.．、]/) != nil {
                attachments.append(text)
                continue
            }
            if !text.isEmpty { inAttachments = false }
            kept.append(line)
        }
        lines = kept
    }

    /// 准印号, 出版许可证, 投稿邮箱, 责任编辑, 主编, 电话, 地址, `（共印500份）` and the like.
    static func isImprint(_ text: String) -> Bool {
        guard !text.isEmpty, text.count <= 60 else { return false }
        if text.firstMatch(of: /^[（(]?\s*共印\s*[0-9]+\s*份\s*[）)]?$/) != nil { return true }
        if text.firstMatch(of: /准印|出版许可证|内部资料性出版物|投稿(专用)?邮箱|电子邮箱|^(责任编辑|主\s*编|副主编|编\s*辑|校\s*对|审\s*核|签\s*发|联系电话|电\s*话|传\s*真|地\s*址|邮\s*编|E-?mail)\s*[：:]/.ignoresCase()) != nil {
            return true
        }
        return false
    }

    static func trim(_ line: String) -> String {
        String(line.unicodeScalars.drop { $0.properties.isWhitespace }.reversed().drop { $0.properties.isWhitespace }.reversed()
            .reduce(into: String.UnicodeScalarView()) { $0.append($1) })
    }

    /// `- 2 -`, `— 2 —`, `－2－`, `第 2 页`, `2 / 8`.
    static func isPageNumber(_ line: String) -> Bool {
        line.wholeMatch(of: /[-—－–―]{1,2}\s*[0-9]{1,3}\s*[-—－–―]{1,2}/) != nil
            || line.wholeMatch(of: /第\s*[0-9]{1,3}\s*页(\s*[\/／共]\s*[0-9]{1,3}\s*页?)?/) != nil
            || line.wholeMatch(of: /[0-9]{1,3}\s*[\/／]\s*[0-9]{1,3}/) != nil
    }

    /// Lines that look like page headers or footers rather than prose.
    private static func isHeaderLike(_ line: String) -> Bool {
        !line.hasSuffix("。") && !line.hasSuffix("，")
    }

    /// The first line of the trailing 版记 block: 报/送/发 lines, their rules and the printing line (`…印发`).
    static func distributionBlockStart(_ lines: [String]) -> Int? {
        var start: Int?
        var index = lines.count - 1
        while index >= 0 {
            let line = lines[index]
            if line.isEmpty || isRule(line) || line.contains("共印") || isImprint(line) {
                index -= 1
                continue
            }
            if line.hasSuffix("印发") && line.count <= 50 {
                start = index
                index -= 1
                while index >= 0 && lines[index].isEmpty { index -= 1 }
                // The printing office on a line of its own above its date.
                if index >= 0, lines[index].count <= 20, DateText.find(in: lines[index]) == nil, Masthead.isOrganization(lines[index]) {
                    start = index
                    index -= 1
                }
                continue
            }
            if line.firstMatch(of: /^(报|送|发|抄送|抄报|分送)\s*[：:]/) != nil {
                start = index
                index -= 1
                continue
            }
            break
        }
        guard var first = start else { return nil }
        while first > 0 && (lines[first - 1].isEmpty || isRule(lines[first - 1])) { first -= 1 }
        return first
    }

    static func isRule(_ line: String) -> Bool {
        line.count >= 3 && line.allSatisfy { "—─━-_＿=＝·.".contains($0) }
    }
}

/// ASCII punctuation written inside Chinese text, made full-width.
enum Punctuation {
    static let fullWidth: [Character: Character] = [",": "，", ":": "：", ";": "；", "!": "！", "?": "？", "(": "（", ")": "）"]

    /// `精神,立足` → `精神，立足`; `(总第 305 期)` → `（总第305期）`. Spaces between Chinese and Latin or digits go;
    /// punctuation between Latin or digits (`3.5`, `1,000`, URLs) stays.
    static func normalize(_ line: String) -> String {
        let characters = Array(line)
        var result = ""
        for (index, character) in characters.enumerated() {
            let previous = index > 0 ? characters[index - 1] : nil
            let next = index + 1 < characters.count ? characters[index + 1] : nil
            if character == " " {
                if let previous, let next, isChinese(previous) != isChinese(next),
                   (isChinese(previous) ? isLatinOrDigit(next) : isLatinOrDigit(previous)) || isChinesePunctuation(previous)
                    || isChinesePunctuation(next) {
                    continue
                }
                result.append(character)
                continue
            }
            if let replacement = fullWidth[character], touchesChinese(characters, at: index) {
                result.append(replacement)
                continue
            }
            result.append(character)
        }
        return result
    }

    /// Whether the nearest non-space neighbour on either side is Chinese.
    private static func touchesChinese(_ characters: [Character], at index: Int) -> Bool {
        var before = index - 1
        while before >= 0 && characters[before] == " " { before -= 1 }
        var after = index + 1
        while after < characters.count && characters[after] == " " { after += 1 }
        let left = before >= 0 ? characters[before] : nil
        let right = after < characters.count ? characters[after] : nil
        if characters[index] == "(" || characters[index] == ")" {
            return [left, right].contains { $0.map { isChinese($0) || isChinesePunctuation($0) } ?? false }
        }
        return left.map { isChinese($0) || isChinesePunctuation($0) } ?? false
    }

    static func isChinese(_ character: Character) -> Bool {
        guard let scalar = character.unicodeScalars.first else { return false }
        return (0x4E00...0x9FFF).contains(scalar.value) || (0x3400...0x4DBF).contains(scalar.value)
    }

    static func isChinesePunctuation(_ character: Character) -> Bool {
        "，。、；：？！（）《》“”‘’【】…—".contains(character)
    }

    static func isLatinOrDigit(_ character: Character) -> Bool {
        character.isASCII && (character.isLetter || character.isNumber)
    }
}
