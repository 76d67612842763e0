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
    /// Where the texts that repeat from bulletin to bulletin are made one (`text()`).
    private let strings: StringPool?

    init(_ bytes: [UInt8], strings: StringPool? = nil) {
        self.bytes = bytes
        self.strings = strings
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
        // Through a buffer pointer: the generic initialiser over a slice looks up type metadata on every call.
        guard let text = try bytes(count: try int()).withUnsafeBufferPointer({ String(validating: $0, as: UTF8.self) }) else {
            throw Malformed()
        }
        return text
    }

    /// A string that other bulletins are likely to have too (a label, unit, name or honour), from the pool.
    mutating func text() throws -> String {
        let text = try string()
        return strings?.intern(text) ?? text
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

    mutating func texts() throws -> [String] { try array { try $0.text() } }
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
            writer.write(stat.value.units < 0)
            writer.write(stat.value.units.magnitude)
            writer.write(stat.value.scale)
            writer.write(stat.value.notation.rawValue)
            writer.write(stat.unit)
            writer.write(stat.asOf) { $0.write($1) }
            writer.write(stat.scope) { $0.write($1) }
            writer.write(stat.origin) { $0.write($1, in: bulletin.sourcePath) }
        }
        write(bulletin.exemplars) { writer, exemplar in
            writer.write(exemplar.name)
            writer.write(exemplar.kind.rawValue)
            writer.write(exemplar.honor)
            writer.write(exemplar.program) { $0.write($1) }
            writer.write(exemplar.conferredBy) { $0.write($1) }
            writer.write(exemplar.year) { $0.write($1) }
            writer.write(exemplar.district) { $0.write($1) }
            writer.write(exemplar.origin) { $0.write($1, in: bulletin.sourcePath) }
        }
        write(bulletin.distribution.reportTo)
        write(bulletin.distribution.sendTo)
        write(bulletin.distribution.issueTo)
        write(bulletin.draft)
        write(bulletin.recordedOrigins) { writer, recorded in
            writer.write(recorded.field)
            writer.write(recorded.origin, in: bulletin.sourcePath)
        }
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
        let sourcePath = try string(), title = try string(), series = try text(), issue = try int()
        let serial = try optional { try $0.int() }
        let date = try calendarDate()
        let publishers = try texts()
        let summary = try optional { try $0.string() }
        let tags = try texts(), districts = try texts()
        let stats = try array { reader in
            let key = try reader.text(), label = try reader.text()
            let negative = try reader.bool(), magnitude = try reader.unsigned(), scale = try reader.int()
            guard let notation = Quantity.Notation(rawValue: try reader.string()), magnitude <= UInt64(Int64.max) else { throw Malformed() }
            let value = Quantity(units: negative ? -Int64(magnitude) : Int64(magnitude), scale: scale, notation: notation)
            return Stat(key: key, label: label, value: value, unit: try reader.text(), asOf: try reader.optional { try $0.calendarDate() },
                        scope: try reader.optional { try $0.text() }, origin: try reader.optional { try $0.origin(in: sourcePath) })
        }
        let exemplars = try array { reader in
            let name = try reader.text()
            guard let kind = Exemplar.Kind(rawValue: try reader.string()) else { throw Malformed() }
            return Exemplar(name: name, kind: kind, honor: try reader.text(), program: try reader.optional { try $0.text() },
                            conferredBy: try reader.optional { try $0.text() }, year: try reader.optional { try $0.int() },
                            district: try reader.optional { try $0.text() }, origin: try reader.optional { try $0.origin(in: sourcePath) })
        }
        let distribution = Distribution(reportTo: try texts(), sendTo: try texts(), issueTo: try texts())
        let draft = try bool()
        let origins = try array { reader in (try reader.string(), try reader.origin(in: sourcePath)) }
        return Bulletin(
            sourcePath: sourcePath, title: title, series: series, issue: issue, serial: serial, date: date, publishers: publishers,
            summary: summary, tags: tags, districts: districts, stats: stats, exemplars: exemplars, distribution: distribution,
            draft: draft, origins: Dictionary(origins) { first, _ in first })
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
