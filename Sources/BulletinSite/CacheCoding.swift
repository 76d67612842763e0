import BulletinAggregates
import BulletinModel

/// The build cache's file format: LEB128 varints (`VarInt`, as in the search index), signed numbers
/// zigzag-encoded, flags as the varints 0 and 1, strings as length and UTF-8, optionals behind a flag, arrays
/// behind their count. Several times faster than Codable over JSON or property lists for the 10,000 bulletins
/// of an archive, which the cache reads and writes on every build.
struct CacheWriter {
    private(set) var bytes: [UInt8] = []

    mutating func write(_ value: UInt64) { VarInt.append(value, to: &bytes) }

    /// Signed numbers zigzag-encoded, so small negative numbers stay short.
    mutating func write(_ value: Int) { write(UInt64(bitPattern: Int64(value) << 1 ^ Int64(value) >> 63)) }

    mutating func write(_ value: Bool) { write(UInt64(value ? 1 : 0)) }

    mutating func write(_ text: String) {
        var text = text
        text.withUTF8 { utf8 in
            write(utf8.count)
            bytes.append(contentsOf: utf8)
        }
    }

    mutating func write<T>(_ value: T?, _ body: (inout CacheWriter, T) -> Void) {
        write(value != nil)
        if let value { body(&self, value) }
    }

    mutating func write<T>(_ values: [T], _ body: (inout CacheWriter, T) -> Void) {
        write(values.count)
        for value in values { body(&self, value) }
    }

    mutating func write(_ texts: [String]) { write(texts) { $0.write($1) } }

    /// Bytes as they are (their count, if needed, written before them by the caller).
    mutating func write(bytes more: some Collection<UInt8>) { bytes += more }
}

/// Reads what `CacheWriter` wrote; any malformed input throws.
struct CacheReader {
    typealias Malformed = VarIntReader.Malformed

    private var varints: VarIntReader
    private let bytes: [UInt8]
    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        varints = VarIntReader(bytes)
    }

    var isAtEnd: Bool { varints.isAtEnd }

    /// Where the next value starts.
    var offset: Int { varints.offset }

    /// The bytes read since `start` (an earlier `offset`), as they are.
    func bytes(since start: Int) -> ArraySlice<UInt8> { bytes[start..<offset] }

    mutating func unsigned() throws -> UInt64 { try varints.unsigned() }

    mutating func int() throws -> Int {
        let raw = try unsigned()
        return Int(Int64(bitPattern: raw >> 1) ^ -Int64(bitPattern: raw & 1))
    }

    mutating func bool() throws -> Bool {
        switch try unsigned() {
        case 0: return false
        case 1: return true
        default: throw Malformed()
        }
    }

    mutating func string() throws -> String {
        guard let text = try bytes(count: try int()).withUnsafeBufferPointer(String.init(validUTF8:)) else { throw Malformed() }
        return text
    }

    mutating func bytes(count: Int) throws -> ArraySlice<UInt8> { try varints.bytes(count: count) }

    mutating func optional<T>(_ body: (inout CacheReader) throws -> T) throws -> T? {
        try bool() ? try body(&self) : nil
    }

    mutating func array<T>(_ body: (inout CacheReader) throws -> T) throws -> [T] {
        let count = try int()
        guard count >= 0, count <= varints.remaining else { throw Malformed() }
        return try (0..<count).map { _ in try body(&self) }
    }

    mutating func texts() throws -> [String] { try array { try $0.string() } }
}

// MARK: - The model in the cache

extension CacheWriter {
    mutating func write(_ bulletin: Bulletin) {
        write(bulletin.sourcePath)
        write(bulletin.title)
        write(bulletin.series)
        write(bulletin.issue)
        write(bulletin.serial) { $0.write($1) }
        write(bulletin.date)
        write(bulletin.publishers)
        write(bulletin.summary) { $0.write($1) }
        write(bulletin.tags)
        write(bulletin.districts)
        write(bulletin.stats) { writer, stat in
            writer.write(stat.key)
            writer.write(stat.label)
            writer.write(stat.value)
            writer.write(stat.unit)
            writer.write(stat.asOf) { $0.write($1) }
            writer.write(stat.scope) { $0.write($1) }
            writer.write(stat.origin) { $0.write($1, in: bulletin.sourcePath) }
        }
        write(bulletin.exemplars) { $0.write($1, in: bulletin.sourcePath) }
        write(bulletin.distribution.reportTo)
        write(bulletin.distribution.sendTo)
        write(bulletin.distribution.issueTo)
        write(bulletin.draft)
        write(bulletin.recordedOrigins) { writer, recorded in
            writer.write(recorded.field)
            writer.write(recorded.origin, in: bulletin.sourcePath)
        }
    }

    mutating func write(_ value: Quantity) {
        write(value.units < 0)
        write(value.units.magnitude)
        write(value.scale)
        write(value.notation.rawValue)
    }

    /// An exemplar named in the bulletin file at `path`.
    mutating func write(_ exemplar: Exemplar, in path: String) {
        write(exemplar.name)
        write(exemplar.kind.rawValue)
        write(exemplar.honor)
        write(exemplar.program) { $0.write($1) }
        write(exemplar.conferredBy) { $0.write($1) }
        write(exemplar.year) { $0.write($1) }
        write(exemplar.district) { $0.write($1) }
        write(exemplar.origin) { $0.write($1, in: path) }
    }

    mutating func write(_ date: CalendarDate) {
        write(date.year)
        write(date.month)
        write(date.day)
    }

    /// An origin in the bulletin file at `path`: its file is written as "" when it is that file (nearly always),
    /// so that reading gives every origin the bulletin's own path instead of a copy each.
    mutating func write(_ origin: Origin, in path: String) {
        write(origin.location.file == path ? "" : origin.location.file)
        write(origin.location.line)
        write(origin.location.column)
        write(origin.quotesLine)
    }

    mutating func write(_ location: SourceLocation) {
        write(location.file)
        write(location.line)
        write(location.column)
    }

    mutating func write(_ diagnostic: Diagnostic) {
        write(diagnostic.severity.rawValue)
        write(diagnostic.location) { $0.write($1) }
        write(diagnostic.message)
        write(diagnostic.sourceLine) { $0.write($1) }
    }
}

extension CacheReader {
    mutating func bulletin() throws -> Bulletin {
        let sourcePath = try string(), title = try string(), series = try string(), issue = try int()
        let serial = try optional { try $0.int() }
        let date = try calendarDate()
        let publishers = try texts()
        let summary = try optional { try $0.string() }
        let tags = try texts(), districts = try texts()
        let stats = try array { reader in
            Stat(key: try reader.string(), label: try reader.string(), value: try reader.quantity(), unit: try reader.string(),
                 asOf: try reader.optional { try $0.calendarDate() }, scope: try reader.optional { try $0.string() },
                 origin: try reader.optional { try $0.origin(in: sourcePath) })
        }
        let exemplars = try array { try $0.exemplar(in: sourcePath) }
        let distribution = Distribution(reportTo: try texts(), sendTo: try texts(), issueTo: try texts())
        let draft = try bool()
        let origins = try array { reader in (try reader.string(), try reader.origin(in: sourcePath)) }
        return Bulletin(
            sourcePath: sourcePath, title: title, series: series, issue: issue, serial: serial, date: date, publishers: publishers,
            summary: summary, tags: tags, districts: districts, stats: stats, exemplars: exemplars, distribution: distribution,
            draft: draft, origins: Dictionary(origins) { first, _ in first })
    }

    mutating func quantity() throws -> Quantity {
        let negative = try bool(), magnitude = try unsigned(), scale = try int()
        guard let notation = Quantity.Notation(rawValue: try string()), magnitude <= UInt64(Int64.max) else { throw Malformed() }
        return Quantity(units: negative ? -Int64(magnitude) : Int64(magnitude), scale: scale, notation: notation)
    }

    /// An exemplar written by `write(_:in:)` for the bulletin file at `path`.
    mutating func exemplar(in path: String) throws -> Exemplar {
        let name = try string()
        guard let kind = Exemplar.Kind(rawValue: try string()) else { throw Malformed() }
        return Exemplar(name: name, kind: kind, honor: try string(), program: try optional { try $0.string() },
                        conferredBy: try optional { try $0.string() }, year: try optional { try $0.int() },
                        district: try optional { try $0.string() }, origin: try optional { try $0.origin(in: path) })
    }

    mutating func calendarDate() throws -> CalendarDate {
        guard let date = CalendarDate(year: try int(), month: try int(), day: try int()) else { throw Malformed() }
        return date
    }

    /// An origin written by `write(_:in:)` for the bulletin file at `path`.
    mutating func origin(in path: String) throws -> Origin {
        let file = try string()
        return Origin(location: SourceLocation(file: file.isEmpty ? path : file, line: try int(), column: try int()),
                      quotesLine: try bool())
    }

    mutating func sourceLocation() throws -> SourceLocation {
        SourceLocation(file: try string(), line: try int(), column: try int())
    }

    mutating func diagnostic() throws -> Diagnostic {
        guard let severity = Diagnostic.Severity(rawValue: try string()) else { throw Malformed() }
        let location = try optional { try $0.sourceLocation() }
        let message = try string()
        return Diagnostic(severity, message, at: location, sourceLine: try optional { try $0.string() })
    }
}

// MARK: - The aggregates in the cache

extension SiteAggregates {
    /// The aggregates of the bulletins whose files are `paths`, in site order (the indices the aggregates hold), as
    /// consecutive pieces (stats, exemplars, the rest) to be written one after another: joined, they were a
    /// buffer of their own at the peak of a first build.
    func encodedPieces(paths: [String]) -> [[UInt8]] {
        var stats = CacheWriter()
        stats.write(self.stats) { writer, series in
            writer.write(series.key)
            writer.write(series.unit)
            writer.write(series.label)
            writer.write(series.scopes) { writer, scope in
                writer.write(scope.scope) { $0.write($1) }
                writer.write(scope.points) { writer, point in
                    writer.write(point.date)
                    writer.write(point.value)
                    writer.write(point.label)
                    writer.write(point.bulletins) { $0.write($1) }
                }
            }
            writer.write(series.bulletins) { $0.write($1) }
        }
        var exemplars = CacheWriter()
        exemplars.write(self.exemplars) { writer, entry in
            writer.write(entry.kind.rawValue)
            writer.write(entry.name)
            writer.write(entry.slug)
            writer.write(entry.mentions) { writer, mention in
                writer.write(mention.bulletin)
                writer.write(mention.exemplar, in: paths[mention.bulletin])
            }
        }
        var rest = CacheWriter()
        rest.write(taxonomies) { writer, taxonomy in
            writer.write(taxonomy.field)
            writer.write(taxonomy.label)
            writer.write(taxonomy.terms) { writer, term in
                writer.write(term.name)
                writer.write(term.slug)
                writer.write(term.bulletins) { $0.write($1) }
            }
        }
        rest.write(encodedFolderNames.keys.sorted()) { writer, name in
            writer.write(name)
            writer.write(encodedFolderNames[name]!)
        }
        rest.write(diagnostics) { $0.write($1) }
        return [stats.bytes, exemplars.bytes, rest.bytes]
    }

    /// Reads what `encodedPieces(paths:)` made (joined) for the bulletin files `paths`; throws when the bytes are
    /// malformed or name a bulletin beyond `paths`.
    init(decoding bytes: [UInt8], paths: [String]) throws {
        var reader = CacheReader(bytes)
        func bulletin(_ reader: inout CacheReader) throws -> Int {
            let index = try reader.int()
            guard paths.indices.contains(index) else { throw CacheReader.Malformed() }
            return index
        }
        let stats = try reader.array { reader in
            let key = try reader.string(), unit = try reader.string(), label = try reader.string()
            let scopes = try reader.array { reader in
                let scope = ScopeSeries(scope: try reader.optional { try $0.string() }, points: try reader.array { reader in
                    StatPoint(date: try reader.calendarDate(), value: try reader.quantity(), label: try reader.string(),
                              bulletins: try reader.array(bulletin))
                })
                // Pages show each scope's latest value and each key's first scope.
                guard !scope.points.isEmpty else { throw CacheReader.Malformed() }
                return scope
            }
            guard !scopes.isEmpty else { throw CacheReader.Malformed() }
            return StatSeries(key: key, unit: unit, label: label, scopes: scopes, bulletins: try reader.array(bulletin))
        }
        let exemplars = try reader.array { reader in
            guard let kind = Exemplar.Kind(rawValue: try reader.string()) else { throw CacheReader.Malformed() }
            return ExemplarEntry(kind: kind, name: try reader.string(), slug: try reader.string(), mentions: try reader.array { reader in
                let index = try bulletin(&reader)
                return ExemplarEntry.Mention(bulletin: index, exemplar: try reader.exemplar(in: paths[index]))
            })
        }
        let taxonomies = try reader.array { reader in
            Taxonomy(field: try reader.string(), label: try reader.string(), terms: try reader.array { reader in
                Taxonomy.Term(name: try reader.string(), slug: try reader.string(), bulletins: try reader.array(bulletin))
            })
        }
        let names = try reader.array { reader in (try reader.string(), try reader.string()) }
        let diagnostics = try reader.array { try $0.diagnostic() }
        guard reader.isAtEnd else { throw CacheReader.Malformed() }
        self.init(stats: stats, exemplars: exemplars, taxonomies: taxonomies,
                  encodedFolderNames: Dictionary(names) { first, _ in first }, diagnostics: diagnostics)
    }
}
