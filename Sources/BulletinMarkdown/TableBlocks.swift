import BulletinModel
import BulletinSupport
import BulletinTables

/// The attributes of a ```` ```table ```` block's info string: `table caption="…" file="…" header="1"`.
struct TableBlockInfo {
    var caption: String?
    var file: String?
    var header = 1
    /// Problems with the info string, each with the UTF-8 offset in it where it was found.
    var problems: [(message: String, offset: Int)] = []

    /// Whether a code block's info string makes it a table block.
    static func isTable(_ info: String) -> Bool {
        info == "table" || info.hasPrefix("table ") || info.hasPrefix("table\t")
    }

    /// The attributes after the word `table`, as `name="value"` (or `name=value` without spaces).
    init(_ info: String) {
        let bytes = Array(info.utf8)
        var index = 5
        func skipSpaces() { while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x09 { index += 1 } }
        skipSpaces()
        while index < bytes.count {
            let start = index
            while index < bytes.count, bytes[index] != UInt8(ascii: "="), bytes[index] != 0x20 { index += 1 }
            let name = String(decoding: bytes[start..<index], as: UTF8.self)
            guard index < bytes.count, bytes[index] == UInt8(ascii: "=") else {
                problems.append(("expected name=\"value\" after 'table', found '\(name)'", start))
                skipSpaces()
                continue
            }
            index += 1
            let value: String
            if index < bytes.count, bytes[index] == UInt8(ascii: "\"") {
                let valueStart = index + 1
                guard let end = bytes[valueStart...].firstIndex(of: UInt8(ascii: "\"")) else {
                    problems.append(("the value of \(name) has no closing quote", start))
                    return
                }
                value = String(decoding: bytes[valueStart..<end], as: UTF8.self)
                index = end + 1
            } else {
                let valueStart = index
                while index < bytes.count, bytes[index] != 0x20, bytes[index] != 0x09 { index += 1 }
                value = String(decoding: bytes[valueStart..<index], as: UTF8.self)
            }
            switch name {
            case "caption": caption = value.isEmpty ? nil : value
            case "file": file = value
            case "header":
                if let count = Int(value), count >= 0 { header = count } else {
                    problems.append(("header must be a number of header rows (0, 1, 2 …), found '\(value)'", start))
                }
            default:
                problems.append(("unknown table attribute '\(name)' (expected caption, file or header)", start))
            }
            skipSpaces()
        }
    }
}

/// A table's HTML: a `<table>` with its caption, column headers with `scope`, numeric cells marked for right
/// alignment and sorting, inside a region that scrolls sideways on a narrow screen.
enum TableHTML {
    static func render(_ table: BodyTable) -> String {
        let label = table.caption.map(HTMLText.escape) ?? "表格"
        var html = "<div class=\"table-scroll\" role=\"region\" tabindex=\"0\" aria-label=\"\(label)\">\n"
        html += "<table class=\"data-table\">\n"
        if let caption = table.caption { html += "<caption>\(HTMLText.escape(caption))</caption>\n" }
        if !table.header.isEmpty {
            html += "<thead>\n"
            for row in table.header {
                html += "<tr>" + row.map { "<th scope=\"col\">\(HTMLText.escape($0))</th>" }.joined() + "</tr>\n"
            }
            html += "</thead>\n"
        }
        html += "<tbody>\n"
        for row in table.rows {
            html += "<tr>"
            for cell in row {
                if let number = BodyTable.number(cell) {
                    html += "<td class=\"num\" data-sort=\"\(number.plain)\">\(HTMLText.escape(cell))</td>"
                } else {
                    html += "<td>\(HTMLText.escape(cell))</td>"
                }
            }
            html += "</tr>\n"
        }
        html += "</tbody>\n</table>\n</div>\n"
        return html
    }
}

/// A GFM pipe table written by habit (`| a | b |` over `|---|---|`), which CommonMark reads as a paragraph.
enum PipeTable {
    /// The ```` ```table ```` block to write instead, when `lines` (a paragraph's source lines) are a pipe table.
    static func suggestion(_ lines: [Substring]) -> String? {
        guard lines.count >= 2, lines[0].trimmingSpaces.hasPrefix("|") || lines[0].contains("|"),
              isDelimiterRow(lines[1]) else { return nil }
        let rows = ([lines[0]] + lines.dropFirst(2)).map(cells)
        let csv = rows.map { $0.map(csvCell).joined(separator: ",") }
        return (["```table"] + csv + ["```"]).joined(separator: "\n")
    }

    /// `|---|:---:|` and the like.
    private static func isDelimiterRow(_ line: Substring) -> Bool {
        let text = line.trimmingSpaces
        return text.contains("-") && text.contains("|") && text.allSatisfy { "|-: \t".contains($0) }
    }

    private static func cells(_ line: Substring) -> [String] {
        var text = line.trimmingSpaces
        if text.hasPrefix("|") { text = text.dropFirst() }
        if text.hasSuffix("|") { text = text.dropLast() }
        return text.split(separator: "|", omittingEmptySubsequences: false).map { String(String($0).trimmingSpaces) }
    }

    private static func csvCell(_ cell: String) -> String {
        cell.contains(where: { $0 == "," || $0 == "\"" }) ? "\"" + cell.replacing("\"", with: "\"\"") + "\"" : cell
    }
}
