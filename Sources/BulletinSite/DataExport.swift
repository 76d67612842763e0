import BulletinAggregates
import BulletinFrontMatter
import BulletinModel
import Foundation

/// Machine-readable files for archivists, below `data/`.
enum DataFile: String, CaseIterable, Sendable {
    case bulletinsJSON, statsCSV, exemplarsCSV, schema

    var path: String {
        switch self {
        case .bulletinsJSON: "data/bulletins.json"
        case .statsCSV: "data/stats.csv"
        case .exemplarsCSV: "data/exemplars.csv"
        case .schema: "data/schema.json"
        }
    }
}

/// Renders the data files: every bulletin's metadata, stats and exemplars as JSON, one CSV row per bulletin
/// and stat or exemplar (values as plain numbers, text cells that a spreadsheet would run as a formula
/// neutralised by `CSVWriter`), and the JSON Schema of the front matter. Each file is made in pieces, a
/// bulletin's record or rows each, while it is written: made whole, `bulletins.json` and `stats.csv` (34 and
/// 20 MB at 10,000 bulletins) took about 100 MB of the build's peak memory as their arrays grew.
enum DataExport {
    /// A file's bytes as pieces, each made when the writer reaches it.
    typealias Pieces = LazyMapCollection<Range<Int>, [UInt8]>

    /// A file made in one piece, when the writer reaches it.
    static func onePiece(_ make: @escaping () -> [UInt8]) -> Pieces {
        (0..<1).lazy.map { _ in make() }
    }

    static func render(_ file: DataFile, model: SiteModel) -> Pieces {
        switch file {
        case .bulletinsJSON:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            return prettyJSONArray(count: model.bulletins.count, encoder: encoder, end: "\n") { record($0, model) }
        case .statsCSV:
            return csv(header: statsHeader, model: model) { bulletin in
                bulletin.stats.map { [$0.key, $0.label, $0.value.plain, $0.unit, $0.asOf?.iso ?? "", $0.scope ?? ""] }
            }
        case .exemplarsCSV:
            return csv(header: exemplarsHeader, model: model) { bulletin in
                bulletin.exemplars.map {
                    [$0.kind.rawValue, $0.name, $0.honor, $0.program ?? "", $0.conferredBy ?? "", $0.year.map(String.init) ?? "",
                     $0.district ?? ""]
                }
            }
        case .schema: return onePiece { Array(FrontMatterSchema.json.utf8) }
        }
    }

    static let identityHeader = ["series", "year", "issue", "serial", "date", "title"]
    static let statsHeader = identityHeader + ["key", "label", "value", "unit", "as_of", "scope", "url"]
    static let exemplarsHeader = identityHeader + ["kind", "name", "honor", "program", "conferred_by", "honor_year", "district", "url"]
    /// The columns of either CSV that hold numbers; every other column is text.
    static let numericColumns: Set<String> = ["year", "issue", "serial", "value", "honor_year"]

    /// One row per item `rows` gives of each bulletin, between the bulletin's identity and its page: the header,
    /// then a piece a bulletin.
    private static func csv(header: [String], model: SiteModel, rows: @escaping (Bulletin) -> [[String]]) -> Pieces {
        // Which columns hold numbers, worked out once for the file; each piece starts from this empty writer.
        let empty = CSVWriter(rowsUnder: header, numericColumns: numericColumns)
        return (0..<model.bulletins.count + 1).lazy.map { piece in
            var csv = empty
            guard piece > 0 else {
                csv.add(header)
                return csv.bytes
            }
            let index = piece - 1
            let bulletin = model.bulletins[index].bulletin, identity = identity(bulletin), page = url(index, model)
            for row in rows(bulletin) { csv.add(identity + row + [page]) }
            return csv.bytes
        }
    }

    /// The values of one stat key (`stats/<key>/values.csv`): one row per value and bulletin reporting it, newest
    /// first, the value's date, scope and number before the bulletin's identity and page.
    static func statValues(_ series: StatSeries, model: SiteModel) -> [UInt8] {
        var csv = CSVWriter(header: ["as_of", "scope", "value", "unit", "label"] + identityHeader + ["url"], numericColumns: numericColumns)
        for value in StatPages.values(series) {
            let point = value.point
            for index in point.bulletins {
                csv.add([point.date.iso, value.scope ?? "", point.value.plain, series.unit, point.label]
                    + identity(model.bulletins[index].bulletin) + [url(index, model)])
            }
        }
        return csv.bytes
    }

    private static func identity(_ bulletin: Bulletin) -> [String] {
        [bulletin.series, String(bulletin.date.year), String(bulletin.issue), bulletin.serial.map(String.init) ?? "",
         bulletin.date.iso, bulletin.title]
    }

    /// The page of the bulletin at `index`: absolute with a base URL, else site-relative.
    private static func url(_ index: Int, _ model: SiteModel) -> String {
        (model.config.baseURL ?? "") + model.hrefs[index]
    }

    private struct Record: Encodable {
        var series: String
        var issue: Int
        var serial: Int?
        var date: String
        var title: String
        var publishers: [String]
        var summary: String
        var tags: [String]
        var districts: [String]
        var url: String
        var textURL: String
        var stats: [StatRecord]
        var exemplars: [ExemplarRecord]
        var distribution: DistributionRecord?
        /// The body's tables; nil when it has none.
        var tables: [TableRecord]?
        /// The files published with the bulletin (attachments first); nil when it has none.
        var files: [FileRecord]?

        enum CodingKeys: String, CodingKey {
            case series, issue, serial, date, title, publishers, summary, tags, districts, url, stats, exemplars, distribution, tables, files
            case textURL = "text_url"
        }
    }

    private struct TableRecord: Encodable {
        var caption: String?
        var header: [[String]]
        var rows: [[String]]
    }

    private struct FileRecord: Encodable {
        /// attachment, linked or image.
        var kind: String
        var title: String?
        var url: String
        var size: Int
        var sha256: String
    }

    private struct StatRecord: Encodable {
        var key: String
        var label: String
        var value: Decimal
        var unit: String
        var asOf: String?
        var scope: String?

        enum CodingKeys: String, CodingKey {
            case key, label, value, unit, scope
            case asOf = "as_of"
        }
    }

    private struct ExemplarRecord: Encodable {
        var name: String
        var kind: String
        var honor: String
        var program: String?
        var conferredBy: String?
        var year: Int?
        var district: String?

        enum CodingKeys: String, CodingKey {
            case name, kind, honor, program, year, district
            case conferredBy = "conferred_by"
        }
    }

    private struct DistributionRecord: Encodable {
        var reportTo: [String]
        var sendTo: [String]
        var issueTo: [String]

        enum CodingKeys: String, CodingKey {
            case reportTo = "report_to"
            case sendTo = "send_to"
            case issueTo = "issue_to"
        }
    }

    /// The values `element(0)` … `element(count - 1)` as one pretty-printed JSON array followed by `end`, a
    /// piece a value: each is encoded on its own and its lines (but empty ones) indented by two spaces; the
    /// encoder escapes line breaks inside strings, so every line break is the layout's. The same bytes as
    /// `encoder.encode` of the whole array, without holding every value.
    static func prettyJSONArray<Element: Encodable>(count: Int, encoder: JSONEncoder, end: String = "",
                                                    element: @escaping (Int) -> Element) -> Pieces {
        guard count > 0 else { return onePiece { Array((try? encoder.encode([Element]())) ?? Data()) + end.utf8 } }
        return (0..<count).lazy.map { index in
            var bytes: [UInt8] = Array((index == 0 ? "[\n" : ",\n").utf8)
            let encoded = (try? encoder.encode(element(index))) ?? Data()
            encoded.withUnsafeBytes { raw in  // a `Data`'s own iterator is several times slower
                var atLineStart = true
                for byte in raw {
                    if atLineStart && byte != 0x0A { bytes += "  ".utf8 }
                    bytes.append(byte)
                    atLineStart = byte == 0x0A
                }
            }
            if index == count - 1 { bytes += ("\n]" + end).utf8 }
            return bytes
        }
    }

    private static func record(_ index: Int, _ model: SiteModel) -> Record {
        let loaded = model.bulletins[index], bulletin = loaded.bulletin
        let page = url(index, model)
        return Record(
            series: bulletin.series, issue: bulletin.issue, serial: bulletin.serial, date: bulletin.date.iso,
            title: bulletin.title, publishers: bulletin.publishers, summary: loaded.summary, tags: bulletin.tags,
            districts: bulletin.districts, url: page, textURL: page + PagePlan.textEditionName,
            stats: bulletin.stats.map {
                StatRecord(key: $0.key, label: $0.label, value: Decimal(string: $0.value.plain) ?? 0, unit: $0.unit,
                           asOf: $0.asOf?.iso, scope: $0.scope)
            },
            exemplars: bulletin.exemplars.map {
                ExemplarRecord(name: $0.name, kind: $0.kind.rawValue, honor: $0.honor, program: $0.program,
                               conferredBy: $0.conferredBy, year: $0.year, district: $0.district)
            },
            distribution: bulletin.distribution.isEmpty ? nil : DistributionRecord(
                reportTo: bulletin.distribution.reportTo, sendTo: bulletin.distribution.sendTo,
                issueTo: bulletin.distribution.issueTo),
            tables: loaded.facts.tables.isEmpty ? nil : loaded.facts.tables.map { TableRecord(caption: $0.caption, header: $0.header, rows: $0.rows) },
            files: loaded.facts.files.isEmpty ? nil : loaded.facts.files.map {
                FileRecord(kind: $0.kind.rawValue, title: $0.title, url: page + SitePaths.href($0.path), size: $0.size, sha256: $0.sha256)
            })
    }
}

/// RFC 4180 CSV with `\n` line ends, written row by row: a field holding a comma, a quote or a line break is
/// quoted, quotes doubled. (yaslab/CSV.swift was measured at 9 µs a field here, writing one character at a
/// time through an OutputStream; this writer appends bytes, which keeps a 10,000-bulletin export under a second.)
///
/// Spreadsheets (Excel, WPS, LibreOffice) run a cell beginning with `=`, `+`, `-`, `@`, a tab or a carriage
/// return as a formula (OWASP "CSV Injection"): such a text cell is written with a leading `'`, which makes it
/// text. A cell of a numeric column is written as it is when it is a plain number (`-0.5`, `194000`), and
/// neutralised like text otherwise.
struct CSVWriter {
    private(set) var bytes: [UInt8] = []
    /// Whether each column, by position, holds numbers.
    private let numeric: [Bool]

    /// Writes the header row; `numericColumns` names the columns that hold numbers.
    init(header: [String], numericColumns: Set<String> = []) {
        self.init(rowsUnder: header, numericColumns: numericColumns)
        add(header)
    }

    /// A writer of rows that go below `header` (a piece of a file whose header another writer wrote).
    init(rowsUnder header: [String], numericColumns: Set<String> = []) {
        numeric = header.map(numericColumns.contains)
    }

    mutating func add(_ row: [String]) {
        for (index, field) in row.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            let neutralise = Self.startsFormula(field) && !(index < numeric.count && numeric[index] && Self.isPlainNumber(field))
            let needsQuotes = field.utf8.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0A || $0 == 0x0D }
            guard needsQuotes else {
                if neutralise { bytes.append(UInt8(ascii: "'")) }
                bytes.append(contentsOf: field.utf8)
                continue
            }
            bytes.append(UInt8(ascii: "\""))
            if neutralise { bytes.append(UInt8(ascii: "'")) }
            for byte in field.utf8 {
                bytes.append(byte)
                if byte == UInt8(ascii: "\"") { bytes.append(byte) }
            }
            bytes.append(UInt8(ascii: "\""))
        }
        bytes.append(0x0A)
    }

    /// Whether a spreadsheet would read `field` as a formula: it begins with `=`, `+`, `-`, `@`, a tab or a
    /// carriage return.
    static func startsFormula(_ field: String) -> Bool {
        guard let first = field.utf8.first else { return false }
        return first == UInt8(ascii: "=") || first == UInt8(ascii: "+") || first == UInt8(ascii: "-") || first == UInt8(ascii: "@")
            || first == 0x09 || first == 0x0D
    }

    /// Whether `field` is a plain decimal number: an optional `-`, digits, and optionally `.` and digits.
    static func isPlainNumber(_ field: String) -> Bool {
        var bytes = field.utf8[...]
        if bytes.first == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
        let isDigit = { (byte: UInt8) in byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
        let integer = bytes.prefix(while: isDigit)
        guard !integer.isEmpty else { return false }
        bytes = bytes.dropFirst(integer.count)
        guard let point = bytes.first else { return true }
        guard point == UInt8(ascii: "."), bytes.count > 1 else { return false }
        return bytes.dropFirst().allSatisfy(isDigit)
    }
}
