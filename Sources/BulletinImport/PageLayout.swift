/// A line where it lies on a page (PDF text layer or OCR), in points from the page's top left.
struct PositionedLine: Sendable {
    /// Segments of the line separated by wide gaps (table cells, or a name and a date set apart), left to right.
    var segments: [(text: String, left: Double, right: Double)]
    var top: Double
    var bottom: Double
    var size: Double
    var bold = false
    var red = false
    var confidence: Double?
    /// A picture in place of text: the name of one of the document's images.
    var image: String?

    var text: String { segments.map(\.text).joined(separator: segments.count > 1 ? "  " : "") }
    var left: Double { segments.first?.left ?? 0 }
    var right: Double { segments.last?.right ?? 0 }
}

extension Collection<PositionedLine> {
    /// The mean OCR confidence of the lines that have one (0 when none has).
    var meanConfidence: Double {
        let confidences = compactMap(\.confidence)
        return confidences.isEmpty ? 0 : confidences.reduce(0, +) / Double(confidences.count)
    }
}

/// One page's lines and size.
struct PositionedPage: Sendable {
    var width: Double
    var height: Double
    var lines: [PositionedLine]
}

/// What the positions of lines say: running heads and page numbers at the page edges (dropped), centred and
/// right-aligned lines, first-line indents that start paragraphs, and rows whose cells line up (tables).
enum PageLayout {
    static func lines(of pages: [PositionedPage]) -> [SourceLine] {
        let all = pages.flatMap(\.lines)
        let margins = textMargins(all)
        var result: [SourceLine] = []
        for (number, page) in pages.enumerated() {
            let lines = page.lines.filter { $0.image != nil || !isPageFurniture($0, page: page, pageNumber: number) }
            var index = 0
            while index < lines.count {
                if let name = lines[index].image {
                    result.append(.image(name))
                    index += 1
                    continue
                }
                if let (rows, used) = table(at: index, in: lines) {
                    result.append(.table(rows))
                    index += used
                    continue
                }
                result.append(annotate(lines[index], margins: margins, previous: index > 0 ? lines[index - 1] : nil))
                index += 1
            }
        }
        return result
    }

    /// The left edge most lines start at and the right edge most end at.
    static func textMargins(_ lines: [PositionedLine]) -> (left: Double, right: Double) {
        func mode(_ values: [Double]) -> Double {
            var counts: [Int: Int] = [:]
            for value in values { counts[Int((value / 2).rounded()), default: 0] += 1 }
            return Double(counts.max { $0.value < $1.value || $0.value == $1.value && $0.key > $1.key }?.key ?? 0) * 2
        }
        let long = lines.filter { $0.text.count >= 12 }
        let left = long.map(\.left).min().map { minimum in mode(long.map(\.left).filter { $0 < minimum + 40 }) } ?? 0
        let right = mode(long.map(\.right))
        return (left, max(right, left + 1))
    }

    /// Page numbers at the foot and running heads at the top: short lines in the bottom 8% of a page, or in the top
    /// 7% of any page after the first (whose top is the masthead).
    static func isPageFurniture(_ line: PositionedLine, page: PositionedPage, pageNumber: Int) -> Bool {
        let text = line.text.trimmingSpaces()
        guard text.count <= 24 else { return false }
        if line.top > page.height * 0.92 { return true }
        return pageNumber > 0 && line.bottom < page.height * 0.07
    }

    static func annotate(_ positioned: PositionedLine, margins: (left: Double, right: Double), previous: PositionedLine?) -> SourceLine {
        var line = SourceLine(text: positioned.text)
        line.size = positioned.size
        line.bold = positioned.bold
        line.red = positioned.red
        line.confidence = positioned.confidence
        let tolerance = max(positioned.size * 1.2, 6)
        let leftGap = positioned.left - margins.left, rightGap = margins.right - positioned.right
        if leftGap > tolerance && abs(leftGap - rightGap) < tolerance * 1.5 {
            line.alignment = .centred
        } else if rightGap < tolerance && leftGap > (margins.right - margins.left) / 3 {
            line.alignment = .right
        } else {
            line.alignment = .left
            line.startsParagraph = leftGap > positioned.size * 1.2 && leftGap < positioned.size * 4
        }
        if let previous, positioned.top - previous.bottom > positioned.size * 1.2 { line.startsParagraph = true }
        return line
    }

    /// Rows starting at `index` whose cells line up in two or more columns: at least three rows, or two of three
    /// columns or more. A cell belongs to the column its span overlaps (numbers set flush right still overlap their
    /// column); a line whose cells all sit in columns but that has fewer of them, close under the row above,
    /// continues that row's cells (a label wrapped inside its cell).
    static func table(at index: Int, in lines: [PositionedLine]) -> (rows: [[String]], used: Int)? {
        let first = lines[index]
        guard first.segments.count >= 2 else { return nil }
        var columns = first.segments.map { (left: $0.left, right: $0.right) }
        func column(of segment: (text: String, left: Double, right: Double), size: Double) -> Int? {
            let overlaps = columns.indices.filter { columns[$0].left - size < segment.right && segment.left < columns[$0].right + size }
            return overlaps.count == 1 ? overlaps[0] : nil
        }
        var rows: [[String]] = [first.segments.map(\.text)]
        var end = index + 1
        while end < lines.count, lines[end].image == nil {
            let line = lines[end]
            let cells = line.segments.map { (column(of: $0, size: line.size / 2), $0.text) }
            guard cells.allSatisfy({ $0.0 != nil }), Set(cells.map { $0.0! }).count == cells.count else { break }
            if line.segments.count == columns.count {
                rows.append(cells.map(\.1))
            } else if line.top - lines[end - 1].bottom < line.size * 0.8, line.size <= first.size + 0.5, !line.bold || first.bold {
                for (column, text) in cells { rows[rows.count - 1][column!] += text }
            } else {
                break
            }
            for (segment, cell) in zip(line.segments, cells) {
                columns[cell.0!] = (min(columns[cell.0!].left, segment.left), max(columns[cell.0!].right, segment.right))
            }
            end += 1
        }
        guard rows.count >= 3 || rows.count == 2 && columns.count >= 3 else { return nil }
        return (rows, end - index)
    }
}
