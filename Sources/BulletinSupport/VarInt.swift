/// Unsigned LEB128 varints: seven bits a byte, low bits first, the high bit set on every byte but the last.
/// The format of the search index's binary files and of the build cache's record.
public enum VarInt {
    @inlinable
    public static func append(_ value: UInt64, to bytes: inout [UInt8]) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(rest & 0x7F) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    /// Appends a count, size or id (never negative).
    @inlinable
    public static func append(_ value: Int, to bytes: inout [UInt8]) {
        append(UInt64(value), to: &bytes)
    }
}

/// Reads varints and byte runs in order; truncated or malformed input throws.
public struct VarIntReader {
    public struct Malformed: Error {
        public init() {}
    }

    @usableFromInline let bytes: ArraySlice<UInt8>
    @usableFromInline var position: Int

    public init(_ bytes: [UInt8]) { self.init(bytes[...]) }

    /// Reads a part of a byte array: offsets are the array's indices.
    public init(_ bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        position = bytes.startIndex
    }

    /// Where the next byte is (bytes read so far, for a whole array).
    public var offset: Int { position }

    public var isAtEnd: Bool { position == bytes.endIndex }

    /// Goes back to an offset read before (`offset`), to read from there again.
    public mutating func move(to offset: Int) {
        precondition(offset >= bytes.startIndex && offset <= position, "a reader only moves back to an offset it passed")
        position = offset
    }

    /// Bytes not read yet.
    public var remaining: Int { bytes.endIndex - position }

    @inlinable
    public mutating func unsigned() throws -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < bytes.endIndex, shift < 64 else { throw Malformed() }
            let byte = bytes[position]
            position += 1
            value |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return value }
            shift += 7
        }
    }

    /// The next varint as a count, size or id.
    @inlinable
    public mutating func next() throws -> Int {
        guard let value = Int(exactly: try unsigned()) else { throw Malformed() }
        return value
    }

    /// Moves past the next `count` varints without decoding them: each byte below 0x80 ends one, counted
    /// eight bytes at a time while at least eight are left to pass.
    @inlinable
    public mutating func skip(_ count: Int) throws {
        var left = count
        if left >= 8 {
            let start = position - bytes.startIndex
            let end = bytes.withUnsafeBytes { raw in
                var index = start
                while left >= 8, index + 8 <= raw.count {
                    let word = raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
                    left -= (~word & 0x8080_8080_8080_8080).nonzeroBitCount
                    index += 8
                }
                return index
            }
            position = bytes.startIndex + end
        }
        while left > 0 {
            guard position < bytes.endIndex else { throw Malformed() }
            if bytes[position] < 0x80 { left -= 1 }
            position += 1
        }
    }

    /// The next `count` bytes as they are.
    public mutating func bytes(count: Int) throws -> ArraySlice<UInt8> {
        guard count >= 0, count <= bytes.endIndex - position else { throw Malformed() }
        defer { position += count }
        return bytes[position..<position + count]
    }
}
