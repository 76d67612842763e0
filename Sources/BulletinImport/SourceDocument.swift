import Foundation

/// A bulletin as one of the readers found it: its lines in reading order, each with what the layout says about
/// it (PDF and Word know sizes, colours and alignment; text knows none of that), tables and pictures in place.
/// Everything after the readers works on this, whatever the file was.
public struct SourceDocument: Sendable, Codable {
    /// What the file was, for the report: `UTF-8 text`, `PDF, 3 pages`, `scanned PDF, 2 pages (OCR)`, `DOCX`.
    public var format: String
    public var lines: [SourceLine]
    /// Pictures found in the file, named as the body's image blocks name them.
    public var images: [SourceImage] = []
    /// What the reader wants the editor to know (OCR confidence, pictures it could not keep…).
    public var notes: [String] = []
    /// The title the file's metadata gives (PDF document information); used only where it is the title the page
    /// shows, to keep the spaces that a line break hides.
    public var metadataTitle: String?

    public init(format: String, lines: [SourceLine]) {
        self.format = format
        self.lines = lines
    }

    /// Whether the reader knew font sizes (PDF, Word): then the layout, not the words alone, picks the title.
    var hasLayout: Bool { lines.contains { $0.size != nil } }
}

/// One line (PDF, OCR), one paragraph (Word, text copied from a web page) or one table or picture.
public struct SourceLine: Sendable, Equatable, Codable {
    public enum Alignment: String, Sendable, Equatable, Codable { case unknown, left, centred, right }

    public var text: String
    /// Font size in points, when the source says.
    public var size: Double?
    public var bold = false
    /// Printed in red, as mastheads are.
    public var red = false
    public var alignment = Alignment.unknown
    /// The line opens a paragraph (a first-line indent in a PDF).
    public var startsParagraph = false
    /// The line is a whole paragraph (Word; text that was not wrapped).
    public var isParagraph = false
    /// Mean OCR confidence of the line's words (0–100).
    public var confidence: Double?
    /// A table in place of text: rows of cells, the first row its header.
    public var table: [[String]]?
    /// A picture in place of text: the name of one of the document's images.
    public var image: String?
    /// The bold words the line starts with (Word, PDF), a run-in heading's candidate.
    public var boldLead: String?

    public init(text: String) {
        self.text = text
    }

    static func table(_ rows: [[String]]) -> SourceLine {
        var line = SourceLine(text: "")
        line.table = rows
        line.isParagraph = true
        return line
    }

    static func image(_ name: String) -> SourceLine {
        var line = SourceLine(text: "")
        line.image = name
        line.isParagraph = true
        return line
    }

    /// A line holding neither text, table nor picture.
    var isBlank: Bool { text.isEmpty && table == nil && image == nil }
}

/// A picture taken from a Word or PDF file, written beside the imported bulletin.
public struct SourceImage: Sendable, Equatable, Codable {
    /// File name, e.g. `image-1.jpeg`.
    public var name: String
    public var bytes: [UInt8]

    init(name: String, bytes: [UInt8]) {
        self.name = name
        self.bytes = bytes
    }

    private enum CodingKeys: CodingKey { case name, bytes }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        bytes = Array(try container.decode(Data.self, forKey: .bytes))
    }

    /// The bytes as base64 (an array of numbers would be four times larger).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(Data(bytes), forKey: .bytes)
    }
}

extension SourceDocument {
    /// Text as archivists have it: extracted from a PDF (lines wrapped inside sentences) or copied from a web page
    /// (one paragraph a line). Only wrapped text is re-flowed.
    static func text(_ text: String, encoding: String) -> SourceDocument {
        let raw = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
            .replacingOccurrences(of: "\u{0C}", with: "\n")
        var lines = cellTables(raw.split(separator: "\n", omittingEmptySubsequences: false).map { SourceLine(text: String($0)) })
        let wrapped = isWrapped(lines.map(\.text))
        for index in lines.indices {
            let line = lines[index].text
            lines[index].startsParagraph = line.hasPrefix("\u{3000}") || line.hasPrefix("  ")
            lines[index].isParagraph = !wrapped
        }
        return SourceDocument(format: "\(encoding) text" + (wrapped ? "" : ", one paragraph a line"), lines: lines)
    }

    /// Tables that text extraction wrote one cell a line (`序号`, `单位`, `得分`, `1`, `东城区…`, `96.5`, `2`, …), put
    /// back together: the header runs from a `序号` (or `排名`, `名次`) line to the line `1`, and each row starts
    /// with the next number. A cell ending in a comma takes the line after it (a cell wrapped in the PDF).
    static func cellTables(_ lines: [SourceLine]) -> [SourceLine] {
        var result: [SourceLine] = []
        var index = 0
        while index < lines.count {
            let first = ExtractedLines.trim(lines[index].text)
            guard ["序号", "排名", "名次", "序"].contains(first) else {
                result.append(lines[index])
                index += 1
                continue
            }
            var cells: [(text: String, line: Int)] = []
            var cursor = index
            while cursor < lines.count, cells.count < 400 {
                let text = ExtractedLines.trim(lines[cursor].text)
                if !text.isEmpty {
                    guard text.count <= 40, !text.hasSuffix("。") else { break }
                    cells.append((text, cursor))
                }
                cursor += 1
            }
            guard let headerEnd = cells.firstIndex(where: { $0.text == "1" }), (2...8).contains(headerEnd) else {
                result.append(lines[index])
                index += 1
                continue
            }
            let width = headerEnd
            var rows = [cells[..<width].map(\.text)]
            var position = headerEnd
            var lastLine = cells[headerEnd - 1].line
            while position + width <= cells.count, cells[position].text == String(rows.count) {
                var row = cells[position..<position + width].map(\.text)
                guard !row.dropFirst().contains(where: { rows[0].contains($0) }) else { break }
                lastLine = cells[position + width - 1].line
                position += width
                if row[width - 1].hasSuffix("，"), position < cells.count, cells[position].text != String(rows.count + 1) {
                    row[width - 1] += cells[position].text
                    lastLine = cells[position].line
                    position += 1
                }
                rows.append(row)
            }
            guard rows.count >= 3 else {
                result.append(lines[index])
                index += 1
                continue
            }
            result.append(.table(rows))
            index = lastLine + 1
        }
        return result
    }

    /// Whether the text's long lines were broken inside sentences (as PDF extraction gives) rather than being
    /// whole paragraphs (as text copied from a web page or typed is).
    static func isWrapped(_ lines: [String]) -> Bool {
        let long = lines.map { ExtractedLines.trim($0) }.filter { $0.count >= 18 }
        guard long.count >= 3 else { return true }
        let broken = long.filter { !BodyReflow.endsSentence($0) && !$0.hasSuffix("：") }.count
        return Double(broken) / Double(long.count) >= 0.4
    }
}
