import BulletinModel

/// A fast scan of a body before libcmark sees it. The cmark 0.30.2 in Debian is super-linear on some inputs
/// fixed only in later releases (CVE-2023-22486 `![[]()` repeated, CVE-2023-22484 `<!--` repeated,
/// CVE-2023-24824 deep `>` quotes and `- ` lists); bulletins never come near these limits, so such input is
/// rejected with a diagnostic naming its line instead of being parsed.
public enum MarkdownGuard {
    /// Deepest nesting of block quotes and list items allowed.
    public static let maximumNesting = 32
    /// Most unclosed `[` allowed in one paragraph.
    public static let maximumOpenBrackets = 256
    /// Most unclosed `<!--` allowed in a file.
    public static let maximumOpenComments = 64

    /// Problems in `markdown`, the body of `source` starting on file line `firstLine`; empty for ordinary text.
    public static func check(_ markdown: String, source: SourceText, firstLine: Int) -> [Diagnostic] {
        var markdown = markdown
        // Read as one run of bytes: through `String.UTF8View`'s indices the scan was 2 % of a build.
        return markdown.withUTF8 { check($0, source: source, firstLine: firstLine) }
    }

    private static func check(_ markdown: UnsafeBufferPointer<UInt8>, source: SourceText, firstLine: Int) -> [Diagnostic] {
        var openBrackets = 0
        var openComments = 0
        var lineNumber = firstLine - 1
        for line in markdown.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            let depth = nesting(of: line)
            if depth > maximumNesting {
                return [source.diagnostic(.error, "Markdown nested \(depth) levels deep (block quotes and lists; at most \(maximumNesting)); "
                                            + "no bulletin needs this, and it would make the Markdown parser slow", line: lineNumber, column: 1)]
            }
            if line.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: ">") }) { openBrackets = 0 }
            var previous: UInt8 = 0
            var index = line.startIndex
            while index < line.endIndex {
                let byte = line[index]
                if byte == UInt8(ascii: "[") && previous != UInt8(ascii: "\\") {
                    openBrackets += 1
                } else if byte == UInt8(ascii: "]") && previous != UInt8(ascii: "\\") {
                    openBrackets = max(0, openBrackets - 1)
                } else if byte == UInt8(ascii: "<"), line[index...].starts(with: "<!--".utf8) {
                    openComments += 1
                } else if byte == UInt8(ascii: "-"), line[index...].starts(with: "-->".utf8) {
                    openComments = max(0, openComments - 1)
                }
                if openBrackets > maximumOpenBrackets {
                    return [source.diagnostic(.error, "more than \(maximumOpenBrackets) unclosed '[' in one paragraph; "
                                                + "no bulletin needs this, and it would make the Markdown parser slow", line: lineNumber, column: 1)]
                }
                if openComments > maximumOpenComments {
                    return [source.diagnostic(.error, "more than \(maximumOpenComments) unclosed '<!--'; "
                                                + "no bulletin needs this, and it would make the Markdown parser slow", line: lineNumber, column: 1)]
                }
                previous = byte
                index += 1
            }
        }
        return []
    }

    /// How many block-quote and list-item markers open the line (`> > - > 1. text`), counting indentation of
    /// four columns as one more level.
    static func nesting(of line: Slice<UnsafeBufferPointer<UInt8>>) -> Int {
        var depth = 0
        var index = line.startIndex
        var spaces = 0
        while index < line.endIndex {
            let byte = line[index]
            if byte == UInt8(ascii: " ") {
                spaces += 1
            } else if byte == UInt8(ascii: "\t") {
                spaces += 4
            } else if byte == UInt8(ascii: ">") {
                depth += 1 + spaces / 4
                spaces = 0
            } else if byte == UInt8(ascii: "-") || byte == UInt8(ascii: "*") || byte == UInt8(ascii: "+") {
                let next = index + 1
                guard next == line.endIndex || line[next] == UInt8(ascii: " ") else { break }
                depth += 1 + spaces / 4
                spaces = 0
            } else {
                break
            }
            index += 1
        }
        return depth + spaces / 4
    }
}
