#if canImport(Glibc)
import Glibc
#endif

extension String {
    /// The text of `bytes` when they are valid UTF-8, else nil. Decoded with repairs and compared with the bytes
    /// (equal only when nothing was repaired): `String(validating:as:)` looks up generic type metadata on every
    /// call, which was a third of the time of reading the build cache's record.
    public init?(validUTF8 bytes: UnsafeBufferPointer<UInt8>) {
        var text = String(decoding: bytes, as: UTF8.self)
        let intact = text.withUTF8 { decoded in
            decoded.count == bytes.count && (bytes.isEmpty || memcmp(decoded.baseAddress!, bytes.baseAddress!, bytes.count) == 0)
        }
        guard intact else { return nil }
        self = text
    }
}
