#if canImport(Glibc)
import Glibc
#endif

/// The text of one source file after decoding: UTF-8 validated, byte-order mark removed and line endings
/// normalised to `\n`, so CRLF and LF files produce identical results.
public struct SourceText: Sendable {
    /// The file as shown in diagnostics.
    public let path: String
    public let text: String
    /// The UTF-8 offset where each line starts, for diagnostics that quote their line.
    private let lineStarts: [Int]

    public init(path: String, text: String) {
        self.path = path
        var text = text
        lineStarts = text.withUTF8 { Self.lineStarts(of: $0) }
        self.text = text
    }

    /// The offset where each line of `bytes` starts, the first `limit` lines at most. Found with `memchr`:
    /// going through a string's UTF-8 view is several times slower.
    public static func lineStarts(of bytes: UnsafeBufferPointer<UInt8>, limit: Int = .max) -> [Int] {
        var starts = [0]
        var offset = 0
        while starts.count < limit, offset < bytes.count, let newline = memchr(bytes.baseAddress! + offset, 0x0A, bytes.count - offset) {
            offset = bytes.baseAddress!.distance(to: newline.assumingMemoryBound(to: UInt8.self)) + 1
            starts.append(offset)
        }
        return starts
    }

    private func index(_ offset: Int) -> String.Index {
        text.utf8.index(text.utf8.startIndex, offsetBy: offset)
    }

    /// The text of 1-based `line`, or nil when out of range.
    public func line(_ number: Int) -> String? {
        guard number >= 1, number <= lineStarts.count else { return nil }
        let start = index(lineStarts[number - 1])
        let end = number < lineStarts.count ? index(lineStarts[number] - 1) : text.endIndex
        return String(text[start..<end])
    }

    /// The text before line `number`; all of it when the text has fewer lines.
    public func text(beforeLine number: Int) -> Substring {
        guard number >= 1, number <= lineStarts.count else { return text[...] }
        return text[..<index(lineStarts[number - 1])]
    }

    /// A diagnostic at `line`/`column` of this file, carrying the source line for the caret display.
    public func diagnostic(_ severity: Diagnostic.Severity, _ message: String, line: Int, column: Int) -> Diagnostic {
        Diagnostic(severity, message, at: SourceLocation(file: path, line: line, column: column), sourceLine: self.line(line))
    }

    /// Why a file's bytes cannot be read as a source text.
    public enum DecodingProblem: Error, Equatable, Sendable {
        case empty
        case tooLarge(bytes: Int, limit: Int)
        /// The byte at `offset` starts no valid UTF-8 sequence; `line` and `column` locate it.
        case invalidUTF8(offset: Int, line: Int, column: Int)
    }

    /// Decodes raw file bytes. Rejects empty files, files over `limit` bytes and invalid UTF-8
    /// (never substituting U+FFFD).
    public static func decode(_ bytes: [UInt8], limit: Int) -> Result<String, DecodingProblem> {
        if bytes.isEmpty { return .failure(.empty) }
        if bytes.count > limit { return .failure(.tooLarge(bytes: bytes.count, limit: limit)) }
        var body = bytes[...]
        if body.starts(with: [0xEF, 0xBB, 0xBF]) { body = body.dropFirst(3) }
        // Validated once: the string made by validating is the text.
        let validated = String(validating: body, as: UTF8.self)
        if validated == nil, let offset = firstInvalidUTF8Offset(body) {
            let before = bytes[..<offset]
            let line = before.reduce(1) { $1 == 0x0A ? $0 + 1 : $0 }
            let lineStart = before.lastIndex(of: 0x0A).map { $0 + 1 } ?? body.startIndex
            let column = String(decoding: bytes[lineStart..<offset], as: UTF8.self).unicodeScalars.count + 1
            return .failure(.invalidUTF8(offset: offset, line: line, column: column))
        }
        let text = validated ?? String(decoding: body, as: UTF8.self)
        // Looked for in the bytes: going through a `String`'s UTF-8 view is several times slower.
        let hasCarriageReturn = body.withUnsafeBytes { $0.isEmpty ? false : memchr($0.baseAddress!, 0x0D, $0.count) != nil }
        guard hasCarriageReturn else { return .success(text) }
        return .success(text.replacingLineEndings())
    }

    private static func firstInvalidUTF8Offset(_ bytes: ArraySlice<UInt8>) -> Int? {
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let lead = bytes[index]
            let length: Int
            switch lead {
            case 0x00...0x7F: index += 1; continue
            case 0xC2...0xDF: length = 2
            case 0xE0...0xEF: length = 3
            case 0xF0...0xF4: length = 4
            default: return index
            }
            guard index + length <= bytes.endIndex else { return index }
            let second = bytes[index + 1]
            let secondRange: ClosedRange<UInt8> = switch lead {
            case 0xE0: 0xA0...0xBF
            case 0xED: 0x80...0x9F
            case 0xF0: 0x90...0xBF
            case 0xF4: 0x80...0x8F
            default: 0x80...0xBF
            }
            guard secondRange.contains(second) else { return index }
            for continuation in bytes[(index + 2)..<(index + length)] where !(0x80...0xBF).contains(continuation) {
                return index
            }
            index += length
        }
        return nil
    }
}

extension String {
    /// The text with CRLF and lone CR line endings turned into LF.
    func replacingLineEndings() -> String {
        var result = String()
        result.reserveCapacity(utf8.count)
        var previousWasCR = false
        for scalar in unicodeScalars {
            if scalar == "\r" {
                result.unicodeScalars.append("\n")
                previousWasCR = true
                continue
            }
            if !(scalar == "\n" && previousWasCR) { result.unicodeScalars.append(scalar) }
            previousWasCR = false
        }
        return result
    }
}
