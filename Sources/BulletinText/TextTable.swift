import BulletinModel

/// A table in the plain-text edition, laid out as the three-line table (三线表) of Chinese official documents:
/// the caption centred above, a heavy rule, the header rows, a light rule, the body rows, a heavy rule. Columns
/// are aligned by display width within the text width, cells wrapped by the body's line-breaking rules and
/// numbers right-aligned. A table that cannot fit even with its columns at their narrowest is given row by
/// row, each cell after its column's header.
enum TextTable {
    /// Columns between two cells.
    static let gap = 2

    static func render(_ table: BodyTable, width: Int) -> [String] {
        var lines: [String] = []
        if let caption = table.caption {
            lines += LineBreaker.wrap(caption, width: width).map { TextEdition.center($0, width: width) }
        }
        let all = table.header + table.rows
        let columns = table.columnCount
        guard columns > 0 else { return lines }
        func widest(_ rows: [[String]], _ column: Int) -> Int { rows.map { DisplayWidth.of($0[column]) }.max() ?? 0 }
        let natural = (0..<columns).map { max(2, widest(all, $0)) }
        let narrowest = (0..<columns).map { column in
            max(2, all.map { LineBreaker.wrap($0[column], width: 1).map { DisplayWidth.of($0) }.max() ?? 0 }.max() ?? 0)
        }
        // Long headers are wrapped before any body cell is.
        let bodyWidths = (0..<columns).map { max(narrowest[$0], widest(table.rows, $0)) }
        let available = width - gap * (columns - 1)
        guard let widths = fit(natural: natural, narrowest: bodyWidths, available: available)
            ?? fit(natural: natural, narrowest: narrowest, available: available) else {
            return lines + byRow(table, width: width)
        }
        let tableWidth = widths.reduce(0, +) + gap * (columns - 1)
        let heavy = String(repeating: "━", count: max(1, tableWidth / 2))
        let light = String(repeating: "─", count: max(1, tableWidth / 2))
        lines.append(heavy)
        for row in table.header { lines += layOut(row, widths: widths, numbersRight: false) }
        if !table.header.isEmpty { lines.append(light) }
        for row in table.rows { lines += layOut(row, widths: widths, numbersRight: true) }
        lines.append(heavy)
        return lines
    }

    /// Column widths within `available`: the natural ones when they fit, else the widest columns narrowed one
    /// column at a time, never below `narrowest`; nil when even those do not fit.
    static func fit(natural: [Int], narrowest: [Int], available: Int) -> [Int]? {
        guard narrowest.reduce(0, +) <= available else { return nil }
        var widths = natural
        var total = widths.reduce(0, +)
        while total > available {
            let candidates = widths.indices.filter { widths[$0] > narrowest[$0] }
            guard let widest = candidates.max(by: { widths[$0] < widths[$1] }) else { return nil }
            widths[widest] -= 1
            total -= 1
        }
        return widths
    }

    /// One table row as lines: each cell wrapped in its column, numbers right-aligned when `numbersRight`.
    private static func layOut(_ row: [String], widths: [Int], numbersRight: Bool) -> [String] {
        let cells = zip(row, widths).map { cell, width in LineBreaker.wrap(cell, width: width) }
        let height = cells.map(\.count).max() ?? 1
        return (0..<height).map { lineNumber in
            var line = ""
            for (column, cellLines) in cells.enumerated() {
                let text = lineNumber < cellLines.count ? cellLines[lineNumber] : ""
                let padding = String(repeating: " ", count: max(0, widths[column] - DisplayWidth.of(text)))
                let rightAligned = numbersRight && BodyTable.number(row[column]) != nil
                line += rightAligned ? padding + text : text + padding
                if column < cells.count - 1 { line += String(repeating: " ", count: gap) }
            }
            return line.trimmingTrailingSpaces()
        }
    }

    /// The rows one after another, each cell as `header：cell`, for a table too wide to lay out in columns.
    private static func byRow(_ table: BodyTable, width: Int) -> [String] {
        let names = (0..<table.columnCount).map { column in
            table.header.map { $0[column] }.filter { !$0.isEmpty }.joined(separator: " ")
        }
        var lines = [TextEdition.rule(width: width)]
        for (number, row) in table.rows.enumerated() {
            if number > 0 { lines.append("") }
            for (name, cell) in zip(names, row) {
                lines += LineBreaker.wrap(name.isEmpty ? cell : "\(name)：\(cell)", width: width, restPrefix: TextEdition.paragraphIndent)
            }
        }
        lines.append(TextEdition.rule(width: width))
        return lines
    }
}
