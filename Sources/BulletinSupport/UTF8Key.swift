#if canImport(Glibc)
import Glibc
#endif

/// A string hashed and compared by its UTF-8 bytes. `String` normalises non-ASCII text for every hash and
/// comparison, which dominates tables keyed by Chinese names; this key skips that (so canonically equivalent
/// spellings in different bytes are different keys).
public struct UTF8Key: Hashable, Sendable {
    public let string: String

    public init(_ string: String) {
        var string = string
        string.makeContiguousUTF8()
        self.string = string
    }

    public static func == (lhs: UTF8Key, rhs: UTF8Key) -> Bool {
        var left = lhs.string, right = rhs.string
        return left.withUTF8 { left in
            right.withUTF8 { right in
                left.count == right.count && (left.isEmpty || memcmp(left.baseAddress!, right.baseAddress!, left.count) == 0)
            }
        }
    }

    public func hash(into hasher: inout Hasher) {
        var string = string
        string.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }

    /// Whether `lhs` comes before `rhs` in byte order.
    public static func precedes(_ lhs: String, _ rhs: String) -> Bool {
        lhs.utf8.lexicographicallyPrecedes(rhs.utf8)
    }
}
