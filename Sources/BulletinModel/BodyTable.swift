/// A table in a bulletin body (a ```` ```table ```` block): its caption, header rows and body rows, every row
/// as long as the others.
public struct BodyTable: Sendable, Hashable, Codable {
    public var caption: String?
    /// Header rows (the `header` attribute, one by default).
    public var header: [[String]]
    public var rows: [[String]]

    public init(caption: String?, header: [[String]], rows: [[String]]) {
        self.caption = caption
        self.header = header
        self.rows = rows
    }

    /// The number of columns.
    public var columnCount: Int { (header.first ?? rows.first)?.count ?? 0 }

    /// Every cell's text in reading order, caption first: what search finds of the table.
    public var text: String {
        ([caption].compactMap { $0 } + (header + rows).map { $0.joined(separator: " ") }).joined(separator: "\n")
    }

    /// The value of a cell that is a number by the bulletin rules (`27,093`, `19.4万`, `93.31%`, `+1.2`): what
    /// it sorts by. Nil for text; a percentage counts as the number before its sign.
    public static func number(_ cell: String) -> Quantity? {
        var text = cell.trimmingSpaces
        if text.hasSuffix("%") || text.hasSuffix("％") { text = text.dropLast() }
        if text.hasPrefix("+") { text = text.dropFirst() }
        guard !text.isEmpty, case .success(let quantity) = Quantity.parse(String(text)) else { return nil }
        return quantity
    }
}

extension StringProtocol {
    /// The text without spaces, tabs and ideographic spaces at either end.
    public var trimmingSpaces: SubSequence {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\u{3000}" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else { return self[endIndex...] }
        return self[first...last]
    }
}
