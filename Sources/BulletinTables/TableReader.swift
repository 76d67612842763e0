import BulletinModel
import CSV
#if canImport(Glibc)
import Glibc
#endif

/// Rows read from CSV (RFC 4180, through yaslab/CSV.swift) or from TSV pasted out of a spreadsheet, with the
/// line each row starts on, for diagnostics.
public struct TableRows: Sendable, Equatable {
    public var rows: [[String]]
    /// The 1-based line of the text each row starts on.
    public var lines: [Int]
}

/// Why rows do not make a table.
public enum TableProblem: Error, Equatable, Sendable, CustomStringConvertible {
    case empty
    /// Row `row` (0-based, counting header rows) has `found` cells where the first row has `expected`.
    case unequalRow(row: Int, expected: Int, found: Int)
    /// The `header` attribute asks for more header rows than the table has rows.
    case headerTooLong(header: Int, rows: Int)

    public var description: String {
        switch self {
        case .empty:
            "the table has no rows; write CSV rows inside the block or name a file with file=\"…\""
        case .unequalRow(let row, let expected, let found):
            "row \(row + 1) has \(found) cell\(found == 1 ? "" : "s") where the first row has \(expected); "
                + "every row needs the same number (quote a cell that holds a comma: \"1,000\")"
        case .headerTooLong(let header, let rows):
            "header=\"\(header)\" asks for \(header) header rows, but the table has \(rows) row\(rows == 1 ? "" : "s")"
        }
    }
}

/// Reads table rows and table files.
public enum TableReader {
    /// The rows of `text`: tab-separated when its first line holds a tab (what a spreadsheet puts on the
    /// clipboard), else CSV. Blank lines are skipped; cells lose spaces at either end.
    public static func rows(_ text: String) -> TableRows {
        let firstLine = text.prefix { $0 != "\n" }
        let delimiter: Unicode.Scalar = firstLine.contains("\t") ? "\t" : ","
        var rows: [[String]] = [], lines: [Int] = []
        var line = 1
        guard let reader = try? CSVReader(string: text, hasHeaderRow: false, trimFields: false, delimiter: delimiter) else {
            return TableRows(rows: [], lines: [])
        }
        while let row = reader.next() {
            let start = line
            line += 1 + row.reduce(0) { $0 + $1.utf8.count { $0 == UInt8(ascii: "\n") } }
            if row.allSatisfy({ $0.trimmingSpaces.isEmpty }) { continue }
            rows.append(row.map { String($0.trimmingSpaces) })
            lines.append(start)
        }
        return TableRows(rows: rows, lines: lines)
    }

    /// A table of `rows` whose first `header` rows are header rows.
    public static func table(_ rows: [[String]], header: Int, caption: String?) -> Result<BodyTable, TableProblem> {
        guard let first = rows.first else { return .failure(.empty) }
        if let (index, row) = rows.enumerated().first(where: { $0.element.count != first.count }) {
            return .failure(.unequalRow(row: index, expected: first.count, found: row.count))
        }
        guard header <= rows.count else { return .failure(.headerTooLong(header: header, rows: rows.count)) }
        return .success(BodyTable(caption: caption, header: Array(rows.prefix(header)), rows: Array(rows.dropFirst(header))))
    }

    /// The text of a table file: UTF-8 (a byte-order mark dropped), else GB18030, the encoding spreadsheets in
    /// Chinese offices save CSV in; nil when it is neither.
    public static func decode(_ bytes: [UInt8]) -> String? {
        var bytes = bytes[...]
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        if let text = String(validating: bytes, as: UTF8.self) { return text }
        return convertFromGB18030(Array(bytes))
    }

    /// `bytes` converted from GB18030 by the C library's iconv; nil when they are not GB18030.
    static func convertFromGB18030(_ bytes: [UInt8]) -> String? {
        let converter = iconv_open("UTF-8", "GB18030")
        guard converter != iconv_t(bitPattern: -1) else { return nil }
        defer { iconv_close(converter) }
        var input = bytes.map { CChar(bitPattern: $0) }
        var output = [CChar](repeating: 0, count: bytes.count * 2 + 16)
        let written: Int? = input.withUnsafeMutableBufferPointer { inputBuffer in
            output.withUnsafeMutableBufferPointer { outputBuffer in
                var inPointer = inputBuffer.baseAddress, inLeft = inputBuffer.count
                var outPointer = outputBuffer.baseAddress, outLeft = outputBuffer.count
                guard iconv(converter, &inPointer, &inLeft, &outPointer, &outLeft) != -1, inLeft == 0 else { return nil }
                return outputBuffer.count - outLeft
            }
        }
        guard let written else { return nil }
        return String(validating: output.prefix(written).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
