/// The body of an extracted bulletin re-joined: lines broken inside sentences put back together (even across
/// blank lines and removed page numbers), 一、 sections as headings, （一） as subheadings.
struct BodyReflow {
    struct Paragraph {
        var text: String
        /// 2 for 一、 sections, 3 for （一）, nil for prose.
        var headingLevel: Int?
    }

    var title: String?
    var paragraphs: [Paragraph] = []
    var warnings: [String] = []

    var markdown: String {
        paragraphs.map { paragraph in
            paragraph.headingLevel.map { String(repeating: "#", count: $0) + " " + paragraph.text } ?? paragraph.text
        }.joined(separator: "\n\n") + "\n"
    }

    static func reflow(_ lines: [String], distributionStart: Int?) -> BodyReflow {
        var body = BodyReflow()
        var index = 0
        while index < lines.count && lines[index].isEmpty { index += 1 }
        guard index < lines.count else {
            body.warnings.append("no title and no body found")
            return body
        }
        var title = lines[index]
        index += 1
        if index + 1 <= lines.count, index < lines.count, !lines[index].isEmpty, lines[index].count <= 25,
           !endsSentence(title), !endsSentence(lines[index]), index + 1 == lines.count || lines[index + 1].isEmpty {
            title += lines[index]
            index += 1
            body.warnings.append("title joined from two lines: \(title)")
        }
        body.title = title

        var joined: [String] = []
        var current = ""
        var sawBlank = false
        for line in lines[index...] {
            if line.isEmpty {
                sawBlank = true
                continue
            }
            let startsSection = sectionLevel(line) != nil
            let indented = line.hasPrefix("\u{3000}") || line.hasPrefix("  ")
            if !current.isEmpty && endsSentence(current) && (sawBlank || startsSection || indented) {
                joined.append(current)
                current = ""
            }
            let text = line.trimmingSpaces()
            if let last = current.last, let first = text.first, last.isASCII && last.isLetter || last.isNumber && last.isASCII,
               first.isASCII && (first.isLetter || first.isNumber) {
                current += " "
            }
            current += text
            sawBlank = false
        }
        if !current.isEmpty { joined.append(current) }

        for text in joined {
            guard let level = sectionLevel(text), let (heading, rest) = splitRunInHeading(text) else {
                body.paragraphs.append(Paragraph(text: text, headingLevel: nil))
                continue
            }
            body.paragraphs.append(Paragraph(text: heading, headingLevel: level))
            if !rest.isEmpty { body.paragraphs.append(Paragraph(text: rest, headingLevel: nil)) }
        }
        return body
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
