import BulletinSupport
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import ZIPFoundation

/// Word files (`.docx`): the package read with ZIPFoundation, its XML with Foundation's `XMLParser`. Paragraph
/// styles, sizes, bold, alignment and colour become the layout the masthead and title are found by; Word tables
/// become tables, embedded pictures images. This file is the only one that reads ZIP or Word XML.
///
/// A DOCX is a ZIP from outside: entry count, sizes and compression ratios are limited before anything is
/// inflated (zip bombs), entry names are never used as paths, and XML with a document type declaration is refused,
/// so no entity, external or internal, is ever expanded.
public enum DOCXReader {
    /// What a DOCX may hold before it is refused.
    public struct Limits: Sendable {
        public var entries: Int
        public var entryBytes: UInt64
        public var totalBytes: UInt64
        /// Uncompressed over compressed size, for entries above 1 MiB.
        public var ratio: UInt64

        public init(entries: Int = 5_000, entryBytes: UInt64 = 64 << 20, totalBytes: UInt64 = 256 << 20, ratio: UInt64 = 200) {
            self.entries = entries
            self.entryBytes = entryBytes
            self.totalBytes = totalBytes
            self.ratio = ratio
        }
    }

    /// The document inside `word/document.xml` alone (no styles, no pictures): what the DOCX fuzz target reads.
    public static func read(documentXML: [UInt8]) throws(ImportError) -> SourceDocument {
        SourceDocument(format: "DOCX", lines: try WordBody.parse(documentXML, styles: WordStyles()))
    }

    /// A Word package given as bytes (kept in a temporary file while it is read: ZIPFoundation's in-memory archives
    /// leak their buffer).
    public static func read(_ bytes: [UInt8], limits: Limits = Limits()) throws(ImportError) -> SourceDocument {
        let file = FileManager.default.temporaryDirectory.appending(path: "bulletin-\(getpid())-\(UUID().uuidString).docx")
        defer { try? FileManager.default.removeItem(at: file) }
        do {
            try Data(bytes).write(to: file)
        } catch {
            throw ImportError("cannot write a temporary copy of the DOCX: \(error.localizedDescription)")
        }
        return try read(file, limits: limits)
    }

    /// A Word package's bulletin: its paragraphs with their layout, tables and pictures.
    public static func read(_ file: URL, limits: Limits = Limits()) throws(ImportError) -> SourceDocument {
        let archive: Archive
        do {
            archive = try Archive(url: file, accessMode: .read)
        } catch {
            throw ImportError("not a DOCX file: it is not a ZIP package (\(error))")
        }
        var entries: [String: Entry] = [:]
        var count = 0
        var total: UInt64 = 0
        for entry in archive {
            count += 1
            guard count <= limits.entries else { throw ImportError("refused: the DOCX holds more than \(limits.entries) entries") }
            let size = entry.uncompressedSize
            total += size
            guard size <= limits.entryBytes, total <= limits.totalBytes else {
                throw ImportError("refused: \(entry.path) would inflate to \(size) bytes (limits: \(limits.entryBytes) an entry, \(limits.totalBytes) in all)")
            }
            if size > 1 << 20, size / max(entry.compressedSize, 1) > limits.ratio {
                throw ImportError("refused: \(entry.path) is compressed \(size / max(entry.compressedSize, 1)) to 1 (a zip bomb?)")
            }
            entries[entry.path] = entry
        }
        func contents(_ path: String) throws(ImportError) -> [UInt8]? {
            guard let entry = entries[path] else { return nil }
            var data: [UInt8] = []
            do {
                _ = try archive.extract(entry, skipCRC32: false) { chunk in
                    data += chunk
                    if data.count > Int(entry.uncompressedSize) { throw ImportError("\(path) inflates past its stated size") }
                }
            } catch let error as ImportError {
                throw error
            } catch {
                throw ImportError("cannot read \(path) in the DOCX: \(error)")
            }
            return data
        }

        guard let documentXML = try contents("word/document.xml") else {
            throw ImportError("not a DOCX file: the package has no word/document.xml")
        }
        let styles = try contents("word/styles.xml").map { xml throws(ImportError) in try WordStyles.parse(xml) } ?? WordStyles()
        let relationships = try contents("word/_rels/document.xml.rels").map { xml throws(ImportError) in try Relationships.parse(xml) } ?? [:]
        let lines = try WordBody.parse(documentXML, styles: styles)

        var document = SourceDocument(format: "DOCX", lines: [])
        var imageNames: [String: String] = [:]
        for line in lines {
            guard let id = line.image else {
                document.lines.append(line)
                continue
            }
            if let name = imageNames[id] {
                document.lines.append(.image(name))
                continue
            }
            guard let target = relationships[id], let bytes = try contents(Self.resolve(target)), let kind = ImageKind(bytes) else {
                document.notes.append("a picture in the DOCX (\(relationships[id] ?? id)) is missing or not PNG, JPEG, GIF or WebP and was left out")
                continue
            }
            let name = "image-\(document.images.count + 1).\(kind.rawValue)"
            imageNames[id] = name
            document.images.append(SourceImage(name: name, bytes: bytes))
            document.lines.append(.image(name))
        }
        return document
    }

    /// A relationship target (`media/image1.png`, `../media/x.png`) as an entry path below `word/`.
    static func resolve(_ target: String) -> String {
        var parts = ["word"]
        for part in target.split(separator: "/") {
            if part == ".." { if !parts.isEmpty { parts.removeLast() } } else if part != "." { parts.append(String(part)) }
        }
        return target.hasPrefix("/") ? String(target.dropFirst()) : parts.joined(separator: "/")
    }

    /// Reads the part `name` with `delegate`; malformed XML is an error at its line and column. Refuses XML with
    /// a document type declaration (OOXML never has one): no entity is ever defined, let alone resolved. Refuses
    /// XML that is not UTF-8 too (Word writes UTF-8): Foundation's `XMLParser` traps on names that are not
    /// (found by `FuzzDOCX`).
    static func parse(_ xml: [UInt8], name: String, with delegate: XMLParserDelegate) throws(ImportError) {
        let isUTF8 = xml.withUnsafeBufferPointer { String(validUTF8: $0) != nil }
        guard isUTF8, !xml.contains(0) else { throw ImportError("refused: \(name) in the DOCX is not UTF-8 text") }
        if xml.firstRange(of: Array("<!DOCTYPE".utf8)) != nil || xml.firstRange(of: Array("<!ENTITY".utf8)) != nil {
            throw ImportError("refused: \(name) in the DOCX declares a document type or entities")
        }
        let parser = XMLParser(data: Data(xml))
        parser.shouldResolveExternalEntities = false
        parser.shouldProcessNamespaces = false
        parser.delegate = delegate
        guard parser.parse() else {
            throw ImportError("\(name) in the DOCX is not well-formed XML (line \(parser.lineNumber), column \(parser.columnNumber))")
        }
    }
}

/// Picture formats kept from Word files, by their first bytes.
enum ImageKind: String {
    case png, jpeg, gif, webp

    init?(_ bytes: [UInt8]) {
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]) { self = .png }
        else if bytes.starts(with: [0xFF, 0xD8, 0xFF]) { self = .jpeg }
        else if bytes.starts(with: Array("GIF8".utf8)) { self = .gif }
        else if bytes.count > 12, bytes.starts(with: Array("RIFF".utf8)), bytes[8..<12].elementsEqual("WEBP".utf8) { self = .webp }
        else { return nil }
    }
}

/// Formatting a paragraph or run can have, resolved from styles and direct formatting.
struct WordFormat: Equatable {
    var size: Double?
    var bold: Bool?
    var color: String?
    var alignment: String?

    /// `self` with the values it lacks taken from `base`.
    func over(_ base: WordFormat) -> WordFormat {
        WordFormat(size: size ?? base.size, bold: bold ?? base.bold, color: color ?? base.color, alignment: alignment ?? base.alignment)
    }

    /// Reads one formatting element (`w:sz`, `w:b`, `w:color`, `w:jc`) into `self`.
    mutating func read(_ element: String, _ attributes: [String: String]) {
        let value = attributes["w:val"]
        switch element {
        case "w:sz": if let halfPoints = value.flatMap(Double.init) { size = halfPoints / 2 }
        case "w:b": bold = value.map { !["0", "false", "off"].contains($0) } ?? true
        case "w:color": color = value
        case "w:jc": alignment = value
        default: break
        }
    }
}

/// `word/styles.xml`: each paragraph style's formatting with its `basedOn` chain resolved, and the defaults.
struct WordStyles {
    var defaults = WordFormat()
    var styles: [String: (format: WordFormat, basedOn: String?)] = [:]

    func resolved(_ id: String?) -> WordFormat {
        var format = WordFormat()
        var next = id
        var depth = 0
        while let current = next, let style = styles[current], depth < 20 {
            format = format.over(style.format)
            next = style.basedOn
            depth += 1
        }
        return format.over(defaults)
    }

    static func parse(_ xml: [UInt8]) throws(ImportError) -> WordStyles {
        let delegate = StylesDelegate()
        try DOCXReader.parse(xml, name: "word/styles.xml", with: delegate)
        return delegate.styles
    }

    private final class StylesDelegate: NSObject, XMLParserDelegate {
        var styles = WordStyles()
        var current: (id: String, format: WordFormat, basedOn: String?)?
        var inDefaults = false

        func parser(_ parser: XMLParser, didStartElement element: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            switch element {
            case "w:docDefaults": inDefaults = true
            case "w:style": current = (attributes["w:styleId"] ?? "", WordFormat(), nil)
            case "w:basedOn": current?.basedOn = attributes["w:val"]
            default:
                if inDefaults { styles.defaults.read(element, attributes) } else { current?.format.read(element, attributes) }
            }
        }

        func parser(_ parser: XMLParser, didEndElement element: String, namespaceURI: String?, qualifiedName: String?) {
            switch element {
            case "w:docDefaults": inDefaults = false
            case "w:style":
                if let current { styles.styles[current.id] = (current.format, current.basedOn) }
                current = nil
            default: break
            }
        }
    }
}

/// `word/_rels/document.xml.rels`: relationship id → target.
enum Relationships {
    static func parse(_ xml: [UInt8]) throws(ImportError) -> [String: String] {
        let delegate = Delegate()
        try DOCXReader.parse(xml, name: "word/_rels/document.xml.rels", with: delegate)
        return delegate.targets
    }

    private final class Delegate: NSObject, XMLParserDelegate {
        var targets: [String: String] = [:]

        func parser(_ parser: XMLParser, didStartElement element: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            if element == "Relationship", let id = attributes["Id"], let target = attributes["Target"], attributes["TargetMode"] != "External" {
                targets[id] = target
            }
        }
    }
}

/// `word/document.xml`: paragraphs as lines with their layout, tables as rows, pictures by relationship id.
enum WordBody {
    static func parse(_ xml: [UInt8], styles: WordStyles) throws(ImportError) -> [SourceLine] {
        let delegate = Delegate(styles: styles)
        try DOCXReader.parse(xml, name: "word/document.xml", with: delegate)
        return delegate.lines
    }

    private struct Run {
        var text: String
        var format: WordFormat
    }

    private struct Paragraph {
        var style: String?
        var direct = WordFormat()
        var runs: [Run] = []
        var images: [String] = []
        var border = false
    }

    private final class Delegate: NSObject, XMLParserDelegate {
        let styles: WordStyles
        var lines: [SourceLine] = []
        var paragraph: Paragraph?
        var run: WordFormat?
        var runText = ""
        var inText = false
        var inParagraphProperties = false
        var inRunProperties = false
        /// Open tables: rows of cells, each cell the text of its paragraphs.
        var tables: [[[String]]] = []
        var cellText: [String]?

        init(styles: WordStyles) {
            self.styles = styles
        }

        func parser(_ parser: XMLParser, didStartElement element: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            switch element {
            case "w:p": paragraph = Paragraph()
            case "w:pPr": inParagraphProperties = true
            case "w:pStyle": if inParagraphProperties { paragraph?.style = attributes["w:val"] }
            case "w:pBdr": if inParagraphProperties { paragraph?.border = true }
            case "w:r":
                run = WordFormat()
                runText = ""
            case "w:rPr": inRunProperties = run != nil
            case "w:t": inText = true
            case "w:tab": if run != nil { runText += " " }
            case "w:tbl": tables.append([])
            case "w:tr": if !tables.isEmpty { tables[tables.count - 1].append([]) }
            case "w:tc": cellText = []
            case "a:blip": if let id = attributes["r:embed"] { paragraph?.images.append(id) }
            case "v:imagedata": if let id = attributes["r:id"] { paragraph?.images.append(id) }
            default:
                if inRunProperties { run?.read(element, attributes) } else if inParagraphProperties { paragraph?.direct.read(element, attributes) }
            }
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if inText { runText += string }
        }

        func parser(_ parser: XMLParser, didEndElement element: String, namespaceURI: String?, qualifiedName: String?) {
            switch element {
            case "w:t": inText = false
            case "w:pPr": inParagraphProperties = false
            case "w:rPr": inRunProperties = false
            case "w:r":
                if let format = run, !runText.isEmpty { paragraph?.runs.append(Run(text: runText, format: format)) }
                run = nil
            case "w:p":
                if let finished = paragraph { finish(finished) }
                paragraph = nil
            case "w:tc":
                if let cell = cellText, !tables.isEmpty, !tables[tables.count - 1].isEmpty {
                    let rows = tables.count - 1
                    tables[rows][tables[rows].count - 1].append(cell.joined(separator: "\n"))
                }
                cellText = nil
            case "w:tbl":
                if let rows = tables.popLast() { finishTable(rows) }
            default: break
            }
        }

        /// A paragraph as a line (or, inside a table, as cell text).
        private func finish(_ paragraph: Paragraph) {
            let text = paragraph.runs.map(\.text).joined()
            if cellText != nil {
                cellText?.append(text.trimmingSpaces())
                return
            }
            let base = paragraph.direct.over(styles.resolved(paragraph.style))
            let formats = paragraph.runs.map { (run: $0, format: $0.format.over(base)) }
            var line = SourceLine(text: text)
            var sizes: [Double: Int] = [:]
            for (run, format) in formats { if let size = format.size { sizes[size, default: 0] += run.text.count } }
            line.size = sizes.max { $0.value < $1.value || $0.value == $1.value && $0.key < $1.key }?.key ?? base.size ?? 10.5
            let visible = formats.filter { !$0.run.text.allSatisfy(\.isWhitespace) }
            line.bold = !visible.isEmpty && visible.allSatisfy { $0.format.bold == true }
            line.red = !visible.isEmpty && visible.allSatisfy { Self.isRed($0.format.color) }
            switch base.alignment {
            case "center": line.alignment = .centred
            case "right", "end": line.alignment = .right
            default: line.alignment = .left
            }
            line.startsParagraph = true
            line.isParagraph = true
            if !line.bold, let first = visible.first, first.format.bold == true {
                let lead = visible.prefix { $0.format.bold == true }.map(\.run.text).joined().trimmingSpaces()
                if lead.count >= 2 { line.boldLead = lead }
            }
            if !text.trimmingSpaces().isEmpty { lines.append(line) }
            for id in paragraph.images { lines.append(.image(id)) }
            if paragraph.border { lines.append(SourceLine(text: "────────")) }
        }

        /// A Word table as a table; a one-column table of 报/送/发 lines (a 版记 laid out as a table) as lines.
        private func finishTable(_ rows: [[String]]) {
            let rows = rows.filter { !$0.isEmpty }
            guard !rows.isEmpty else { return }
            let cells = rows.flatMap { $0 }
            if rows.allSatisfy({ $0.count == 1 }) || cells.contains(where: { $0.firstMatch(of: /^(报|送|发|抄送|抄报)\s*[：:]/) != nil }) {
                if let outer = tables.indices.last, var row = tables[outer].popLast() {
                    row += [cells.joined(separator: " ")]
                    tables[outer].append(row)
                    return
                }
                lines += cells.flatMap { $0.split(separator: "\n").map { SourceLine(text: String($0)) } }
                return
            }
            let width = rows.map(\.count).max() ?? 0
            let table = rows.map { row in
                row.map { $0.replacingOccurrences(of: "\n", with: "") } + Array(repeating: "", count: width - row.count)
            }
            if tables.isEmpty { lines.append(.table(table)) }
        }

        static func isRed(_ color: String?) -> Bool {
            guard let color, color.count == 6, let value = Int(color, radix: 16) else { return false }
            return (value >> 16) & 0xFF >= 0xB0 && (value >> 8) & 0xFF <= 0x60 && value & 0xFF <= 0x60
        }
    }
}
