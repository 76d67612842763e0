import BulletinModel

/// A bulletin file cut into its YAML front matter and its Markdown body, with the file line each starts on.
public struct SplitDocument: Sendable {
    public var yaml: String
    /// File line of the first YAML line (the line after the opening `---`).
    public var yamlFirstLine: Int
    public var body: String
    /// File line of the first body line (the line after the closing `---`).
    public var bodyFirstLine: Int
}

public enum FrontMatterSplitter {
    /// Splits a decoded source at its `---` fences. The front matter must open on the first line and close
    /// with a line holding only `---` (or `...`).
    public static func split(_ source: SourceText) -> Result<SplitDocument, Diagnostic> {
        let text = source.text
        let newline = UInt8(ascii: "\n")
        guard let firstNewline = text.utf8.firstIndex(of: newline), isFence(text[..<firstNewline], closing: false) else {
            let firstLine = source.line(1) ?? ""
            let hint = firstLine.hasPrefix("—") || firstLine.hasPrefix("－")
                ? " (the fence must be three ASCII hyphens, not '—' or '－')" : ""
            return .failure(source.diagnostic(
                .error, "expected front matter: the first line must be '---'\(hint)", line: 1, column: 1))
        }
        var lineNumber = 2
        var lineStart = text.index(after: firstNewline)
        while lineStart < text.endIndex {
            let lineEnd = text.utf8[lineStart...].firstIndex(of: newline) ?? text.endIndex
            if isFence(text[lineStart..<lineEnd], closing: true) {
                let bodyStart = lineEnd < text.endIndex ? text.utf8.index(after: lineEnd) : lineEnd
                return .success(SplitDocument(
                    yaml: String(text[text.utf8.index(after: firstNewline)..<lineStart]),
                    yamlFirstLine: 2,
                    body: String(text[bodyStart...]),
                    bodyFirstLine: lineNumber + 1
                ))
            }
            lineNumber += 1
            lineStart = lineEnd < text.endIndex ? text.utf8.index(after: lineEnd) : text.endIndex
        }
        return .failure(source.diagnostic(
            .error, "front matter opened with '---' on line 1 has no closing '---' line", line: 1, column: 1))
    }

    private static func isFence(_ line: Substring, closing: Bool) -> Bool {
        var bytes = line.utf8[...]
        while let last = bytes.last, last == UInt8(ascii: " ") || last == UInt8(ascii: "\t") { bytes = bytes.dropLast() }
        return bytes.elementsEqual("---".utf8) || (closing && bytes.elementsEqual("...".utf8))
    }
}
