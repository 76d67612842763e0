import BulletinMarkdown
import BulletinModel

/// The plain-text edition of a bulletin, laid out like the printed briefing: centred masthead, publishers and
/// date at the two edges over a full-width rule, the centred title, the body with indented paragraphs, the
/// figures as a table aligned by display width, the exemplars by kind, and the 版记 between rules.
public enum TextEdition {
    /// Two ideographic spaces: the first-line indent of a paragraph.
    static let paragraphIndent = "\u{3000}\u{3000}"

    /// The whole edition: `\n` line endings, no trailing spaces, one final newline. `attachments` are the 附件
    /// in order, each its title with type and size.
    public static func render(_ bulletin: Bulletin, body: [TextBlock], attachments: [String] = [], width: Int) -> String {
        var lines: [String] = []
        lines.append(center(bulletin.series, width: width))
        lines.append(center(bulletin.issueLabel, width: width))
        lines.append("")
        lines += edges(left: bulletin.publishers, right: bulletin.date.chinese, width: width)
        lines.append(rule(width: width))
        lines.append("")
        lines += LineBreaker.wrap(bulletin.title, width: width).map { center($0, width: width) }
        lines.append("")
        lines += renderBody(body, width: width)
        if !attachments.isEmpty {
            lines.append("")
            lines += attachmentNote(attachments, width: width)
        }
        if !bulletin.stats.isEmpty {
            lines += ["", "数据一览", ""]
            lines += statsTable(bulletin.stats, width: width)
        }
        if !bulletin.exemplars.isEmpty {
            lines += ["", "先进典型"]
            for kind in Exemplar.Kind.allCases {
                let members = bulletin.exemplars.filter { $0.kind == kind }
                guard !members.isEmpty else { continue }
                lines += ["", "【\(kind.label)】"]
                for exemplar in members {
                    lines += LineBreaker.wrap(exemplarLine(exemplar), width: width, firstPrefix: "• ", restPrefix: "   ")
                }
            }
        }
        if !bulletin.distribution.isEmpty {
            lines += ["", rule(width: width)]
            let distribution = bulletin.distribution
            for (label, recipients) in [("报", distribution.reportTo), ("送", distribution.sendTo), ("发", distribution.issueTo)]
            where !recipients.isEmpty {
                lines += LineBreaker.wrap(recipients.joined(separator: "，"), width: width, firstPrefix: "\(label)：",
                                          restPrefix: paragraphIndent)
            }
            lines.append(rule(width: width))
        }
        return finish(lines)
    }

    /// The body alone: headings on their own lines, paragraphs indented by two ideographic spaces, list items
    /// and quotes with hanging indents, code verbatim, link targets listed after each section.
    public static func renderBody(_ blocks: [TextBlock], width: Int) -> [String] {
        var lines: [String] = []
        var pendingNotes: [LinkNote] = []
        func flushNotes() {
            guard !pendingNotes.isEmpty else { return }
            lines.append("")
            for note in pendingNotes {
                lines += LineBreaker.wrap(note.url, width: width, firstPrefix: "[\(note.number)] ", restPrefix: "    ")
            }
            pendingNotes = []
        }
        var previous: TextBlock.Kind?
        for block in blocks {
            let (first, rest) = prefixes(block.containers)
            switch block.kind {
            case .heading:
                flushNotes()
                if !lines.isEmpty { lines.append("") }
                lines += LineBreaker.wrap(block.textWithNoteMarkers, width: width, firstPrefix: first, restPrefix: rest)
                lines.append("")
            case .paragraph:
                if previous == .code || previous == .thematicBreak { lines.append("") }
                let indent = block.containers.isEmpty ? paragraphIndent : ""
                lines += LineBreaker.wrap(block.textWithNoteMarkers, width: width, firstPrefix: first + indent, restPrefix: rest)
            case .code:
                if !lines.isEmpty && lines.last != "" { lines.append("") }
                for (offset, line) in block.text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                    lines.append(((offset == 0 ? first : rest) + "    " + line).trimmingTrailingSpaces())
                }
            case .thematicBreak:
                if !lines.isEmpty && lines.last != "" { lines.append("") }
                lines.append(first + center("＊　＊　＊", width: width - DisplayWidth.of(first)))
            case .table(let table):
                if !lines.isEmpty && lines.last != "" { lines.append("") }
                lines += TextTable.render(table, width: width - DisplayWidth.of(first)).map { first + $0 }
                lines.append("")
            }
            pendingNotes += block.notes
            previous = block.kind
        }
        flushNotes()
        while lines.last == "" { lines.removeLast() }
        return lines
    }

    /// The 附件说明 as GB/T 9704 lays it out: `附件：1.名称` indented two characters, later names under the first
    /// one's number, a wrapped name aligned with its first character.
    static func attachmentNote(_ attachments: [String], width: Int) -> [String] {
        let label = paragraphIndent + "附件："
        let labelWidth = DisplayWidth.of(label)
        var lines: [String] = []
        for (offset, title) in attachments.enumerated() {
            let number = attachments.count == 1 ? "" : "\(offset + 1)."
            let first = (offset == 0 ? label : String(repeating: " ", count: labelWidth)) + number
            lines += LineBreaker.wrap(title, width: width, firstPrefix: first,
                                      restPrefix: String(repeating: " ", count: labelWidth + DisplayWidth.of(number)))
        }
        return lines
    }

    /// Line prefixes from the containers: `> ` for quotes, the item marker on an item's first line.
    private static func prefixes(_ containers: [TextContainer]) -> (first: String, rest: String) {
        var first = "", rest = ""
        for container in containers {
            switch container {
            case .quote:
                first += "> "
                rest += "> "
            case .item(let marker, let isFirstBlock):
                let pad = String(repeating: " ", count: DisplayWidth.of(marker) + 1)
                first += isFirstBlock ? marker + " " : pad
                rest += pad
            }
        }
        return (first, rest)
    }

    /// Figures as a table: label (wrapped in its column), value right-aligned, unit, as-of date.
    static func statsTable(_ stats: [Stat], width: Int) -> [String] {
        let values = stats.map(\.value.display)
        let valueWidth = max(DisplayWidth.of("数值"), values.map { DisplayWidth.of($0) }.max() ?? 0)
        let unitWidth = stats.map { DisplayWidth.of($0.unit) }.max() ?? 0
        let hasDates = stats.contains { $0.asOf != nil }
        let dateWidth = hasDates ? 10 : 0
        let gap = 2
        let fixed = gap + valueWidth + 1 + unitWidth + (hasDates ? gap + dateWidth : 0)
        let labelWidth = width - fixed
        guard labelWidth >= 12 else {
            return stats.flatMap { stat in
                LineBreaker.wrap(label(stat), width: width) + ["  " + stat.value.display + stat.unit + (stat.asOf.map { "（截至\($0.iso)）" } ?? "")]
            }
        }
        func row(_ label: String, _ value: String, _ unit: String, _ date: String) -> String {
            let cells = pad(label, to: labelWidth) + String(repeating: " ", count: gap)
                + String(repeating: " ", count: valueWidth - DisplayWidth.of(value)) + value + " "
                + pad(unit, to: unitWidth) + (hasDates ? String(repeating: " ", count: gap) + date : "")
            return cells.trimmingTrailingSpaces()
        }
        var lines = [row("项目", "数值", "", hasDates ? "截至" : "")]
        for (stat, value) in zip(stats, values) {
            let labelLines = LineBreaker.wrap(label(stat), width: labelWidth)
            lines.append(row(labelLines[0], value, stat.unit, stat.asOf?.iso ?? ""))
            lines += labelLines.dropFirst()
        }
        return lines
    }

    private static func label(_ stat: Stat) -> String {
        stat.label + (stat.scope.map { "（\($0)）" } ?? "")
    }

    private static func exemplarLine(_ exemplar: Exemplar) -> String {
        let details = [exemplar.program, exemplar.conferredBy, exemplar.year.map { "\($0)年" }, exemplar.district]
            .compactMap { $0 }
        return exemplar.name + "：" + exemplar.honor + (details.isEmpty ? "" : "（" + details.joined(separator: "，") + "）")
    }

    /// Lines of `left` with `right` at the right edge of the last one (on its own line when it does not fit).
    static func edges(left: [String], right: String, width: Int) -> [String] {
        var lines = left
        let last = lines.popLast() ?? ""
        let gap = width - DisplayWidth.of(last) - DisplayWidth.of(right)
        if gap >= 2 {
            lines.append(last + String(repeating: " ", count: gap) + right)
        } else {
            lines.append(last)
            lines.append(String(repeating: " ", count: max(0, width - DisplayWidth.of(right))) + right)
        }
        return lines
    }

    /// `text` centred in `width` columns (left-padded only, so no trailing spaces).
    static func center(_ text: String, width: Int) -> String {
        let padding = max(0, (width - DisplayWidth.of(text)) / 2)
        return String(repeating: " ", count: padding) + text
    }

    /// A full-width heavy rule (each `━` takes two columns in Chinese text).
    static func rule(width: Int) -> String {
        String(repeating: "━", count: max(1, width / 2))
    }

    static func pad(_ text: String, to width: Int) -> String {
        text + String(repeating: " ", count: max(0, width - DisplayWidth.of(text)))
    }

    /// Joins lines with `\n`: no trailing spaces, no runs of blank lines, exactly one final newline.
    static func finish(_ lines: [String]) -> String {
        var result: [String] = []
        for line in lines.map({ $0.trimmingTrailingSpaces() }) where !(line.isEmpty && (result.last?.isEmpty ?? true)) {
            result.append(line)
        }
        while result.last == "" { result.removeLast() }
        return result.joined(separator: "\n") + "\n"
    }
}
