/// A 64-bit FNV-1a digest that is the same in every process and on every machine (Swift's `Hasher` is seeded
/// per process): for build-cache keys and cache-busting versions, not for security.
public struct StableDigest: Sendable {
    @usableFromInline var state: UInt64 = 0xCBF2_9CE4_8422_2325

    public init() {}

    /// The digest of everything added so far.
    public var value: UInt64 { state }

    /// The digest through a finalizer (MurmurHash3's fmix64) in which every input bit reaches every output bit:
    /// for digests that are combined by addition, which FNV's weak last-byte mixing would let cancel out.
    public var mixed: UInt64 {
        var z = state
        z = (z ^ (z >> 33)) &* 0xFF51_AFD7_ED55_8CCD
        z = (z ^ (z >> 33)) &* 0xC4CE_B9FE_1A85_EC53
        return z ^ (z >> 33)
    }

    @inlinable
    public mutating func add(_ bytes: some Sequence<UInt8>) {
        for byte in bytes {
            state ^= UInt64(byte)
            state = state &* 0x0000_0100_0000_01B3
        }
    }

    /// Adds a large run of bytes eight at a time, each word rotated after it is mixed in so that its high bits
    /// reach the low ones: a different digest from `add` of the same bytes, several times faster, for
    /// whole files.
    public mutating func addBlock(_ bytes: [UInt8]) {
        add(bytes.count)
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset + 8 <= raw.count {
                let word = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
                state = (state ^ word).rotated(by: 29) &* 0x9E37_79B9_7F4A_7C15
                offset += 8
            }
            add(UnsafeRawBufferPointer(rebasing: raw[offset...]))
        }
    }

    /// Adds a string with its length first, so that `"ab", "c"` and `"a", "bc"` differ.
    public mutating func add(_ text: String) {
        var text = text
        text.withUTF8 { bytes in
            add(bytes.count)
            add(UnsafeRawBufferPointer(bytes))
        }
    }

    public mutating func add(_ number: Int) {
        withUnsafeBytes(of: UInt64(bitPattern: Int64(number)).littleEndian) { add($0) }
    }

    public mutating func add(_ number: UInt64) {
        withUnsafeBytes(of: number.littleEndian) { add($0) }
    }

    /// The digest as 16 hexadecimal digits.
    public var hex: String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}

extension UInt64 {
    /// The bits rotated left by `count` (below 64).
    fileprivate func rotated(by count: UInt64) -> UInt64 { self << count | self >> (64 - count) }
}
