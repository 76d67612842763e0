/// The body of a bulletin as Markdown blocks: lines broken inside sentences put back together (only where the
/// source was wrapped), 一、 sections as headings and （一） as subheadings (run into their paragraph or on lines
/// of their own), the items of a 简讯 compilation as paragraphs with their lead phrase as a run-in heading,
/// tables and pictures in place, OCR'd paragraphs of low confidence marked for review.
struct BodyReflow {
    enum Block: Equatable {
        case paragraph(String)
        /// A paragraph opened by bold words (`**lead**rest`).
        case runIn(lead: String, rest: String)
        /// 2 for 一、 sections, 3 for （一）.
        case heading(level: Int, text: String)
        case table([[String]])
        case image(String)
        /// A review comment for the block after it.
        case check(String)
    }

    var blocks: [Block] = []
    /// How many OCR'd paragraphs were marked for review.
    var lowConfidenceParagraphs = 0

    /// The OCR confidence under which a paragraph is marked for review.
    static let reviewConfidence = 80.0

    /// The paragraphs' text, for figures and honours.
    var paragraphs: [String] {
        blocks.compactMap { block in
            switch block {
            case .paragraph(let text): text
            case .runIn(let lead, let rest): lead + rest
            case .heading(_, let text): text
            case .table(let rows): rows.map { $0.joined(separator: "，") }.joined(separator: "。")
            case .image, .check: nil
            }
        }
    }

    /// The body as Markdown, pictures linked from `imageFolder`.
    func markdown(imageFolder: String) -> String {
        blocks.map { block in
            switch block {
            case .paragraph(let text): text
            case .runIn(let lead, let rest): "**\(lead)**\(rest)"
            case .heading(let level, let text): String(repeating: "#", count: level) + " " + text
            case .table(let rows): "```table\n" + rows.map { $0.map(Self.csvCell).joined(separator: ",") }.joined(separator: "\n") + "\n```"
            case .image(let name): "![](\(imageFolder)/\(name))"
            case .check(let note): "<!-- import: check — \(note) -->"
            }
        }.joined(separator: "\n\n") + "\n"
    }

    static func csvCell(_ cell: String) -> String {
        cell.contains(where: { ",\"\n\r".contains($0) }) || cell.hasPrefix(" ") || cell.hasSuffix(" ")
            ? "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : cell
    }

    /// A run of source lines joined into one paragraph.
    private struct Gathered {
        var text = ""
        /// A table or picture standing between paragraphs.
        var block: Block?
        var boldLead: String?
        var confidences: [Double] = []
        /// How many source lines were joined.
        var lines = 0
        var isEmpty: Bool { text.isEmpty }
    }

    static func reflow(_ lines: [SourceLine], hasLayout: Bool) -> BodyReflow {
        var body = BodyReflow()
        let width = typicalWidth(lines)
        var gathered: [Gathered] = []
        var current = Gathered()
        var sawBlank = false
        var previousShort = false

        func flush() {
            if !current.isEmpty { gathered.append(current) }
            current = Gathered()
        }
        func emit(_ block: Block) {
            flush()
            gathered.append(Gathered(block: block))
        }

        for line in lines {
            if let rows = line.table {
                emit(.table(rows))
                continue
            }
            if let name = line.image {
                emit(.image(name))
                continue
            }
            if line.text.isEmpty {
                sawBlank = true
                continue
            }
            let text = line.text
            if line.isParagraph {
                flush()
                current = Gathered(text: text, boldLead: line.boldLead, confidences: line.confidence.map { [$0] } ?? [])
                flush()
                sawBlank = false
                continue
            }
            if !current.isEmpty {
                let ended = endsSentence(current.text) || current.text.hasSuffix("：") || endsWithSource(current.text)
                let headingLine = sectionLevel(current.text) != nil && !current.text.contains("。") && previousShort
                let startsBlock = sawBlank || sectionLevel(text) != nil || line.startsParagraph || previousShort
                let fragmentBeforeSection = sectionLevel(text) != nil && previousShort
                let salutation = current.lines == 1 && current.text.hasSuffix("：") && current.text.count <= 40
                if headingLine || fragmentBeforeSection || salutation || ended && (startsBlock || endsWithSource(current.text))
                    || hasLayout && line.startsParagraph && ended {
                    flush()
                }
            }
            if current.isEmpty {
                current.boldLead = line.boldLead
            } else if let last = current.text.last, let first = text.first, last.isASCII && (last.isLetter || last.isNumber),
                      first.isASCII && (first.isLetter || first.isNumber) {
                current.text += " "
            }
            current.text += text
            current.lines += 1
            if let confidence = line.confidence { current.confidences.append(confidence) }
            previousShort = width > 0 && text.count < width - 2
            sawBlank = false
        }
        flush()

        let compilation = gathered.filter { endsWithSource($0.text) }.count >= 2
        for paragraph in gathered {
            if let block = paragraph.block {
                body.blocks.append(block)
                continue
            }
            if !paragraph.confidences.isEmpty {
                let mean = paragraph.confidences.reduce(0, +) / Double(paragraph.confidences.count)
                if mean < reviewConfidence {
                    body.blocks.append(.check("OCR confidence \(Int(mean.rounded()))%: compare with the scan"))
                    body.lowConfidenceParagraphs += 1
                }
            }
            body.blocks += blocks(of: paragraph, inCompilation: compilation)
        }
        return body
    }

    /// Takes out the sections a print edition adds after the body (`数据一览` with its tables, `先进典型` with its
    /// list, both made from the front matter) and gives the rows of the stats tables.
    mutating func removePrintedData() -> [[String]] {
        func isHeading(_ block: Block, _ text: String) -> Bool {
            switch block {
            case .paragraph(let found), .heading(_, let found): found == text
            default: false
            }
        }
        guard let start = blocks.firstIndex(where: { isHeading($0, "数据一览") || isHeading($0, "先进典型") }) else { return [] }
        var rows: [[String]] = []
        for block in blocks[start...] {
            if case .table(let table) = block { rows += rows.isEmpty ? table : Array(table.dropFirst()) }
        }
        blocks.removeSubrange(start...)
        return rows
    }

    /// One joined paragraph as blocks: a heading (with the rest of its paragraph), a run-in item or prose.
    private static func blocks(of paragraph: Gathered, inCompilation compilation: Bool) -> [Block] {
        let text = paragraph.text
        if let level = sectionLevel(text), let (heading, rest) = splitRunInHeading(text) {
            return [.heading(level: level, text: heading)] + (rest.isEmpty ? [] : [.paragraph(rest)])
        }
        if let lead = paragraph.boldLead, lead.count <= 30, text.hasPrefix(lead), lead.count < text.count {
            return [runIn(lead: lead, in: text)]
        }
        if compilation, let stop = text.firstIndex(where: { "。！".contains($0) }),
           text.distance(from: text.startIndex, to: stop) <= 30, !text[..<stop].contains("，"), text[text.index(after: stop)...].count > 0 {
            return [runIn(lead: String(text[...stop]), in: text)]
        }
        return [.paragraph(text)]
    }

    /// `**lead**。rest`: a closing full stop stays outside the bold, where CommonMark still closes the emphasis.
    private static func runIn(lead: String, in text: String) -> Block {
        var lead = lead.trimmingSpaces()
        var rest = String(text.dropFirst(lead.count))
        if let last = lead.last, "。：:．.".contains(last) {
            lead.removeLast()
            rest = String(last) + rest
        }
        return .runIn(lead: lead, rest: rest)
    }

    /// The length most wrapped lines have: the line width of the page, in characters (0 when nothing is wrapped).
    static func typicalWidth(_ lines: [SourceLine]) -> Int {
        let lengths = lines.filter { !$0.isParagraph && $0.text.count >= 10 }.map(\.text.count).sorted()
        guard lengths.count >= 3 else { return 0 }
        return lengths[lengths.count * 3 / 4]
    }

    /// `（东城区文明办）`, `（来源：市文明办）`: the source a 简讯 item ends with.
    static func endsWithSource(_ text: String) -> Bool {
        text.firstMatch(of: /[（(](来源[：:])?[^（）()]{2,24}(办|部|局|委|会|站|中心|社区|街道|镇|乡|村|院|校|队|供稿|报送|提供)[）)]$/) != nil
    }

    /// 2 for `一、`, 3 for `（一）`; nil otherwise (`1.` sections stay text).
    static func sectionLevel(_ text: String) -> Int? {
        if text.firstMatch(of: /^[一二三四五六七八九十]{1,3}、/) != nil { return 2 }
        if text.firstMatch(of: /^（[一二三四五六七八九十]{1,3}）/) != nil { return 3 }
        return nil
    }

    /// A heading run into its paragraph (`一、…“一盘棋”。一是…`): the heading up to its first full stop when that
    /// comes within 40 characters, or the whole paragraph when it is that short; nil for a long paragraph that
    /// merely starts with a number.
    static func splitRunInHeading(_ text: String) -> (heading: String, rest: String)? {
        if let stop = text.firstIndex(where: { "。！？".contains($0) }), text.distance(from: text.startIndex, to: stop) < 40 {
            let end = text.index(after: stop)
            return (String(text[..<end]), String(text[end...]))
        }
        return text.count <= 40 ? (text, "") : nil
    }

    static func endsSentence(_ text: String) -> Bool {
        guard let last = text.last else { return false }
        return "。！？…”』」）》".contains(last)
    }
}
