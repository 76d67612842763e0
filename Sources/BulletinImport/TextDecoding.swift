import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Turns the bytes of an extracted bulletin into text: UTF-8 (with or without BOM) or GB18030/GBK, never
/// substituting U+FFFD; CRLF, CR and form feeds become line breaks.
public enum TextDecoding {
    public enum Encoding: String, Sendable {
        case utf8 = "UTF-8"
        case gb18030 = "GB18030"
    }

    public struct Failure: Error, Equatable, Sendable {
        /// Byte offset of the first byte that is neither UTF-8 nor GB18030.
        public var offset: Int
    }

    /// The text and the encoding it was read in.
    public static func decode(_ bytes: [UInt8]) -> Result<(text: String, encoding: Encoding), Failure> {
        var body = bytes[...]
        if body.starts(with: [0xEF, 0xBB, 0xBF]) { body = body.dropFirst(3) }
        if let text = String(validating: body, as: UTF8.self) { return .success((normalizeBreaks(text), .utf8)) }
        switch gb18030(Array(body)) {
        case .success(let text): return .success((normalizeBreaks(text), .gb18030))
        case .failure(let failure): return .failure(Failure(offset: failure.offset + (bytes.count - body.count)))
        }
    }

    /// Converts GB18030 (a superset of GBK and GB2312) with iconv; fails at the first invalid byte.
    static func gb18030(_ bytes: [UInt8]) -> Result<String, Failure> {
        let converter = iconv_open("UTF-8", "GB18030")
        guard converter != iconv_t(bitPattern: -1) else { return .failure(Failure(offset: 0)) }
        defer { iconv_close(converter) }
        var input = bytes
        var output = [UInt8](repeating: 0, count: bytes.count * 2 + 16)
        let total = input.count
        var inputLeft = input.count, outputLeft = output.count
        let consumed: Int = input.withUnsafeMutableBufferPointer { inBuffer in
            output.withUnsafeMutableBufferPointer { outBuffer in
                var inPointer: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(inBuffer.baseAddress!).assumingMemoryBound(to: CChar.self)
                var outPointer: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(outBuffer.baseAddress!).assumingMemoryBound(to: CChar.self)
                _ = iconv(converter, &inPointer, &inputLeft, &outPointer, &outputLeft)
                return total - inputLeft
            }
        }
        guard inputLeft == 0 else { return .failure(Failure(offset: consumed)) }
        return .success(String(decoding: output[0..<(output.count - outputLeft)], as: UTF8.self))
    }

    static func normalizeBreaks(_ text: String) -> String {
        var result = String.UnicodeScalarView()
        var previousCR = false
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\r": result.append("\n"); previousCR = true; continue
            case "\n" where previousCR: break
            case "\u{0C}": result.append("\n")
            default: result.append(scalar)
            }
            previousCR = false
        }
        return String(result)
    }
}
