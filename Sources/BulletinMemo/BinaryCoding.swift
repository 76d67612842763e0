import BulletinSupport
import Foundation

/// A compact binary form of `Codable` values for the memo's record (Foundation's JSON and property-list coders
/// took 5 to 7 s each way for a 10,000-bulletin record). Positional: a struct's fields in the order its
/// `Codable` conformance codes them, without their names; integers as LEB128 varints (signed ones zigzag), strings
/// as their length and UTF-8, an optional field behind a presence flag, an array behind its count, a dictionary
/// with `String` keys as its count and key-value pairs. What it
/// reads must have been written by it for the same type: anything else fails with `Malformed`.
public enum BinaryCoding {
    /// Input that is not what `encode` wrote for the type asked for.
    public struct Malformed: Error {}

    public static func encode(_ value: some Encodable) throws -> [UInt8] {
        let writer = BinaryWriter()
        try writer.encode(value)
        return writer.bytes
    }

    public static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        let reader = BinaryReader(bytes)
        let value = try reader.decode(T.self)
        guard reader.isAtEnd else { throw Malformed() }
        return value
    }
}

/// A dictionary with `String` keys, coded as its pairs (the standard library codes it as a keyed container,
/// whose keys a positional form does not keep).
private protocol StringKeyedDictionary {
    func encodePairs(to writer: BinaryWriter) throws
    static func decodePairs(from reader: BinaryReader) throws -> Self
}

extension Dictionary: StringKeyedDictionary where Key == String, Value: Codable {
    fileprivate func encodePairs(to writer: BinaryWriter) throws {
        writer.write(count)
        for (key, value) in self {
            writer.write(key)
            try writer.encode(value)
        }
    }

    fileprivate static func decodePairs(from reader: BinaryReader) throws -> Self {
        let count: Int = try reader.read()
        guard count >= 0, count <= reader.remaining else { throw BinaryCoding.Malformed() }
        var dictionary: Self = [:]
        dictionary.reserveCapacity(count)
        for _ in 0..<count {
            let key: String = try reader.read()
            dictionary[key] = try reader.decode(Value.self)
        }
        return dictionary
    }
}

/// A value kept as the bytes `BinaryCoding` made of it (`Stored`): coded as their count and the bytes, which are
/// copied, not decoded.
protocol CodedBytes {
    func codedBytes() throws -> [UInt8]
    init(codedBytes: [UInt8])
}

// MARK: - Writing

private final class BinaryWriter {
    var bytes: [UInt8] = []

    func encode<T: Encodable>(_ value: T) throws {
        // Asked of the type (the runtime caches its conformances), not of the value.
        if T.self is any StringKeyedDictionary.Type, let dictionary = value as? any StringKeyedDictionary {
            try dictionary.encodePairs(to: self)
        } else if T.self is any CodedBytes.Type, let coded = value as? any CodedBytes {
            let codedBytes = try coded.codedBytes()
            write(UInt64(codedBytes.count))
            bytes += codedBytes
        } else {
            try value.encode(to: WritingEncoder(writer: self))
        }
    }

    func write(_ value: Bool) { bytes.append(value ? 1 : 0) }

    func write(_ value: String) {
        var value = value
        value.withUTF8 { text in
            write(UInt64(text.count))
            bytes.append(contentsOf: text)
        }
    }

    func write(_ value: Double) { write(value.bitPattern) }

    func write(_ value: Float) { write(value.bitPattern) }

    func write<T: FixedWidthInteger & SignedInteger>(_ value: T) {
        let wide = Int64(value)
        write(UInt64(bitPattern: (wide << 1) ^ (wide >> 63)))
    }

    func write<T: FixedWidthInteger & UnsignedInteger>(_ value: T) {
        var rest = UInt64(value)
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    /// Reserves room for a count written later (`patchCount`): four bytes, little-endian.
    func reserveCount() -> Int {
        bytes += [0, 0, 0, 0]
        return bytes.count - 4
    }

    func patchCount(_ count: Int, at offset: Int) {
        for index in 0..<4 { bytes[offset + index] = UInt8(truncatingIfNeeded: count >> (8 * index)) }
    }
}

private struct WritingEncoder: Encoder {
    let writer: BinaryWriter
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        KeyedEncodingContainer(KeyedWriter<Key>(writer: writer))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer { UnkeyedWriter(writer: writer) }

    func singleValueContainer() -> any SingleValueEncodingContainer { SingleWriter(writer: writer) }
}

private struct KeyedWriter<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let writer: BinaryWriter
    var codingPath: [any CodingKey] { [] }

    mutating func encodeNil(forKey key: Key) throws { writer.write(false) }
    mutating func encode(_ value: some Encodable, forKey key: Key) throws { try writer.encode(value) }
    mutating func encodeIfPresent(_ value: (some Encodable)?, forKey key: Key) throws {
        writer.write(value != nil)
        if let value { try writer.encode(value) }
    }
    mutating func encode(_ value: Bool, forKey key: Key) throws { writer.write(value) }
    mutating func encode(_ value: String, forKey key: Key) throws { writer.write(value) }
    mutating func encode(_ value: Double, forKey key: Key) throws { writer.write(value) }
    mutating func encode(_ value: Float, forKey key: Key) throws { writer.write(value) }
    mutating func encode(_ value: Int, forKey key: Key) throws { writer.write(value) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { writer.write(value) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { writer.write(value) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { writer.write(value) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { writer.write(value) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { writer.write(value) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { writer.write(value) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { writer.write(value) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { writer.write(value) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { writer.write(value) }
    mutating func encodeIfPresent(_ value: Bool?, forKey key: Key) throws { try writeOptional(value) }
    mutating func encodeIfPresent(_ value: String?, forKey key: Key) throws { try writeOptional(value) }
    mutating func encodeIfPresent(_ value: Double?, forKey key: Key) throws { try writeOptional(value) }
    mutating func encodeIfPresent(_ value: Float?, forKey key: Key) throws { try writeOptional(value) }
    mutating func encodeIfPresent(_ value: Int?, forKey key: Key) throws { try writeOptional(value) }
    mutating func encodeIfPresent(_ value: Int8?, forKey key: Key) throws { try writeOptional(value) }
    mutating func encodeIfPresent(_ value: Int16?, forKey key: Key) throws { try writeOptional(value) }
    mutating func encodeIfPresent(_ value: Int32?, forKey key: Key) throws { try writeOptional(value) }
    mutating func encodeIfPresent(_ value: Int64?, forKey key: Key) throws { try writeOptional(value) }
    mutating func encodeIfPresent(_ value: UInt?, forKey key: Key) throws { try writeOptional(value) }
    mutating func encodeIfPresent(_ value: UInt8?, forKey key: Key) throws { try writeOptional(value) }
    mutating func encodeIfPresent(_ value: UInt16?, forKey key: Key) throws { try writeOptional(value) }
    mutating func encodeIfPresent(_ value: UInt32?, forKey key: Key) throws { try writeOptional(value) }
    mutating func encodeIfPresent(_ value: UInt64?, forKey key: Key) throws { try writeOptional(value) }

    private func writeOptional<T>(_ value: T?) throws where T: Encodable {
        writer.write(value != nil)
        if let value { try writer.encode(value) }
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        KeyedEncodingContainer(KeyedWriter<NestedKey>(writer: writer))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer { UnkeyedWriter(writer: writer) }
    mutating func superEncoder() -> any Encoder { WritingEncoder(writer: writer) }
    mutating func superEncoder(forKey key: Key) -> any Encoder { WritingEncoder(writer: writer) }
}

/// An array's elements behind their count, patched in as each element is written.
private struct UnkeyedWriter: UnkeyedEncodingContainer {
    let writer: BinaryWriter
    private let countOffset: Int
    var codingPath: [any CodingKey] { [] }
    var count = 0 {
        didSet { writer.patchCount(count, at: countOffset) }
    }

    init(writer: BinaryWriter) {
        self.writer = writer
        countOffset = writer.reserveCount()
    }

    mutating func encodeNil() throws { throw EncodingError.invalidValue(0, .init(codingPath: [], debugDescription: "nil in an array")) }
    mutating func encode(_ value: some Encodable) throws {
        try writer.encode(value)
        count += 1
    }
    mutating func encode(_ value: Bool) throws { writer.write(value); count += 1 }
    mutating func encode(_ value: String) throws { writer.write(value); count += 1 }
    mutating func encode(_ value: Double) throws { writer.write(value); count += 1 }
    mutating func encode(_ value: Float) throws { writer.write(value); count += 1 }
    mutating func encode(_ value: Int) throws { writer.write(value); count += 1 }
    mutating func encode(_ value: Int8) throws { writer.write(value); count += 1 }
    mutating func encode(_ value: Int16) throws { writer.write(value); count += 1 }
    mutating func encode(_ value: Int32) throws { writer.write(value); count += 1 }
    mutating func encode(_ value: Int64) throws { writer.write(value); count += 1 }
    mutating func encode(_ value: UInt) throws { writer.write(value); count += 1 }
    mutating func encode(_ value: UInt8) throws { writer.write(value); count += 1 }
    mutating func encode(_ value: UInt16) throws { writer.write(value); count += 1 }
    mutating func encode(_ value: UInt32) throws { writer.write(value); count += 1 }
    mutating func encode(_ value: UInt64) throws { writer.write(value); count += 1 }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        count += 1
        return KeyedEncodingContainer(KeyedWriter<NestedKey>(writer: writer))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        count += 1
        return UnkeyedWriter(writer: writer)
    }

    mutating func superEncoder() -> any Encoder { WritingEncoder(writer: writer) }
}

private struct SingleWriter: SingleValueEncodingContainer {
    let writer: BinaryWriter
    var codingPath: [any CodingKey] { [] }

    mutating func encodeNil() throws { throw EncodingError.invalidValue(0, .init(codingPath: [], debugDescription: "a lone nil")) }
    mutating func encode(_ value: some Encodable) throws { try writer.encode(value) }
    mutating func encode(_ value: Bool) throws { writer.write(value) }
    mutating func encode(_ value: String) throws { writer.write(value) }
    mutating func encode(_ value: Double) throws { writer.write(value) }
    mutating func encode(_ value: Float) throws { writer.write(value) }
    mutating func encode(_ value: Int) throws { writer.write(value) }
    mutating func encode(_ value: Int8) throws { writer.write(value) }
    mutating func encode(_ value: Int16) throws { writer.write(value) }
    mutating func encode(_ value: Int32) throws { writer.write(value) }
    mutating func encode(_ value: Int64) throws { writer.write(value) }
    mutating func encode(_ value: UInt) throws { writer.write(value) }
    mutating func encode(_ value: UInt8) throws { writer.write(value) }
    mutating func encode(_ value: UInt16) throws { writer.write(value) }
    mutating func encode(_ value: UInt32) throws { writer.write(value) }
    mutating func encode(_ value: UInt64) throws { writer.write(value) }
}

// MARK: - Reading

private final class BinaryReader {
    private let bytes: [UInt8]
    private var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var isAtEnd: Bool { offset == bytes.count }

    /// Bytes not read yet: more than any count of items still to come.
    var remaining: Int { bytes.count - offset }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        if let dictionary = type as? any StringKeyedDictionary.Type { return try dictionary.decodePairs(from: self) as! T }
        if let coded = type as? any CodedBytes.Type {
            guard let count = Int(exactly: try readUnsigned()), count <= bytes.count - offset else { throw BinaryCoding.Malformed() }
            defer { offset += count }
            return coded.init(codedBytes: Array(bytes[offset..<offset + count])) as! T
        }
        return try T(from: ReadingDecoder(reader: self))
    }

    func read() throws -> Bool {
        switch try readByte() {
        case 0: return false
        case 1: return true
        default: throw BinaryCoding.Malformed()
        }
    }

    func read() throws -> String {
        guard let count = Int(exactly: try readUnsigned()), count <= bytes.count - offset else { throw BinaryCoding.Malformed() }
        defer { offset += count }
        guard let text = bytes.withUnsafeBufferPointer({ String(validUTF8: UnsafeBufferPointer(rebasing: $0[offset..<offset + count])) }) else {
            throw BinaryCoding.Malformed()
        }
        return text
    }

    func read() throws -> Double { Double(bitPattern: try readUnsigned()) }

    func read() throws -> Float { Float(bitPattern: try read()) }

    func read<T: FixedWidthInteger & SignedInteger>() throws -> T {
        let raw = try readUnsigned()
        guard let value = T(exactly: Int64(bitPattern: raw >> 1) ^ -Int64(bitPattern: raw & 1)) else { throw BinaryCoding.Malformed() }
        return value
    }

    func read<T: FixedWidthInteger & UnsignedInteger>() throws -> T {
        guard let value = T(exactly: try readUnsigned()) else { throw BinaryCoding.Malformed() }
        return value
    }

    func readCount() throws -> Int {
        guard bytes.count - offset >= 4 else { throw BinaryCoding.Malformed() }
        defer { offset += 4 }
        return (0..<4).reduce(0) { $0 | Int(bytes[offset + $1]) << (8 * $1) }
    }

    private func readByte() throws -> UInt8 {
        guard offset < bytes.count else { throw BinaryCoding.Malformed() }
        defer { offset += 1 }
        return bytes[offset]
    }

    private func readUnsigned() throws -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let byte = try readByte()
            guard shift < 64 else { throw BinaryCoding.Malformed() }
            value |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return value }
            shift += 7
        }
    }
}

private struct ReadingDecoder: Decoder {
    let reader: BinaryReader
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(KeyedReader<Key>(reader: reader))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer { try UnkeyedReader(reader: reader) }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { SingleReader(reader: reader) }
}

private struct KeyedReader<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let reader: BinaryReader
    var codingPath: [any CodingKey] { [] }
    /// Fields are read in order, so every key asked for is there; an optional one says so by its flag.
    var allKeys: [Key] { [] }

    func contains(_ key: Key) -> Bool { true }
    /// The presence flag of an optional field: true when it is absent.
    func decodeNil(forKey key: Key) throws -> Bool { try !reader.read() }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try reader.decode(T.self) }
    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try reader.read() }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try reader.read() }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try reader.read() }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try reader.read() }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try reader.read() }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try reader.read() }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try reader.read() }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try reader.read() }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try reader.read() }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try reader.read() }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try reader.read() }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try reader.read() }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try reader.read() }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try reader.read() }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        KeyedDecodingContainer(KeyedReader<NestedKey>(reader: reader))
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer { try UnkeyedReader(reader: reader) }
    func superDecoder() throws -> any Decoder { ReadingDecoder(reader: reader) }
    func superDecoder(forKey key: Key) throws -> any Decoder { ReadingDecoder(reader: reader) }
}

private struct UnkeyedReader: UnkeyedDecodingContainer {
    let reader: BinaryReader
    var codingPath: [any CodingKey] { [] }
    let count: Int?
    var currentIndex = 0
    var isAtEnd: Bool { currentIndex >= count! }

    init(reader: BinaryReader) throws {
        self.reader = reader
        count = try reader.readCount()
    }

    mutating func decodeNil() throws -> Bool { false }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        currentIndex += 1
        return try reader.decode(T.self)
    }
    mutating func decode(_ type: Bool.Type) throws -> Bool { currentIndex += 1; return try reader.read() }
    mutating func decode(_ type: String.Type) throws -> String { currentIndex += 1; return try reader.read() }
    mutating func decode(_ type: Double.Type) throws -> Double { currentIndex += 1; return try reader.read() }
    mutating func decode(_ type: Float.Type) throws -> Float { currentIndex += 1; return try reader.read() }
    mutating func decode(_ type: Int.Type) throws -> Int { currentIndex += 1; return try reader.read() }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { currentIndex += 1; return try reader.read() }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { currentIndex += 1; return try reader.read() }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { currentIndex += 1; return try reader.read() }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { currentIndex += 1; return try reader.read() }
    mutating func decode(_ type: UInt.Type) throws -> UInt { currentIndex += 1; return try reader.read() }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { currentIndex += 1; return try reader.read() }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { currentIndex += 1; return try reader.read() }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { currentIndex += 1; return try reader.read() }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { currentIndex += 1; return try reader.read() }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        currentIndex += 1
        return KeyedDecodingContainer(KeyedReader<NestedKey>(reader: reader))
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        currentIndex += 1
        return try UnkeyedReader(reader: reader)
    }

    mutating func superDecoder() throws -> any Decoder { ReadingDecoder(reader: reader) }
}

private struct SingleReader: SingleValueDecodingContainer {
    let reader: BinaryReader
    var codingPath: [any CodingKey] { [] }

    func decodeNil() -> Bool { false }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try reader.decode(T.self) }
    func decode(_ type: Bool.Type) throws -> Bool { try reader.read() }
    func decode(_ type: String.Type) throws -> String { try reader.read() }
    func decode(_ type: Double.Type) throws -> Double { try reader.read() }
    func decode(_ type: Float.Type) throws -> Float { try reader.read() }
    func decode(_ type: Int.Type) throws -> Int { try reader.read() }
    func decode(_ type: Int8.Type) throws -> Int8 { try reader.read() }
    func decode(_ type: Int16.Type) throws -> Int16 { try reader.read() }
    func decode(_ type: Int32.Type) throws -> Int32 { try reader.read() }
    func decode(_ type: Int64.Type) throws -> Int64 { try reader.read() }
    func decode(_ type: UInt.Type) throws -> UInt { try reader.read() }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try reader.read() }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try reader.read() }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try reader.read() }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try reader.read() }
}
