import BulletinModel

/// Line-level checks of front matter done before the YAML parser sees it: they catch the mistakes editors
/// make most (full-width colons, tab indentation) with a precise hint, and reject what the contract forbids
/// or what could make parsing blow up (anchors and aliases, extreme nesting).
enum YAMLLint {
    /// Deeper flow nesting or indentation than any bulletin needs is rejected before parsing.
    static let maximumFlowDepth = 32
    static let maximumIndentation = 128

    static func check(_ yaml: String, firstLine: Int, in source: SourceText) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        var blockScalarIndent: Int?  // indentation of the line that opened a block scalar (| or >)
        var flowDepth = 0
        var openQuote: Unicode.Scalar?
        for (offset, line) in yaml.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNumber = firstLine + offset
            let scalars = Array(line)
            let indentation = scalars.prefix { $0 == " " }.count
            let isBlank = scalars.allSatisfy { $0 == " " || $0 == "\t" }
            if let opener = blockScalarIndent {
                if isBlank || indentation > opener { continue }
                blockScalarIndent = nil
            }
            if isBlank || scalars.first == "#" { continue }
            func report(_ message: String, column: Int) {
                diagnostics.append(source.diagnostic(.error, message, line: lineNumber, column: column))
            }
            if openQuote == nil, let tab = scalars.prefix(while: { $0 == " " || $0 == "\t" }).firstIndex(of: "\t") {
                report("tab used for indentation; YAML indents with spaces only (缩进请使用空格，不要使用 Tab 键)",
                       column: tab + 1)
                continue
            }
            if openQuote == nil && indentation > maximumIndentation {
                report("front matter is nested deeper than \(maximumIndentation) columns of indentation",
                       column: indentation + 1)
                return diagnostics
            }
            if openQuote == nil, scalars.contains("："), let colon = fullWidthColonAfterKey(scalars, from: indentation) {
                let key = colon.key
                report("full-width colon '：' after key '\(key)'; write an ASCII colon and a space, as in '\(key): …' "
                       + "(键名后请使用半角冒号“:”并加空格)", column: colon.index + 1)
                continue
            }
            var index = openQuote == nil ? indentation : 0
            var atNodeStart = openQuote == nil
            while index < scalars.count {
                let scalar = scalars[index]
                let next: Unicode.Scalar? = index + 1 < scalars.count ? scalars[index + 1] : nil
                if let quote = openQuote {
                    if scalar == "\\" && quote == "\"" {
                        index += 1
                    } else if scalar == quote {
                        if quote == "'" && next == "'" { index += 1 } else { openQuote = nil }
                    }
                    index += 1
                    continue
                }
                if scalar == " " {
                    index += 1
                    continue
                }
                if scalar == "#" && (index == 0 || scalars[index - 1] == " ") { break }
                let endsToken = next == nil || next == " "
                if atNodeStart && (scalar == "\"" || scalar == "'") {
                    openQuote = scalar
                    atNodeStart = false
                } else if atNodeStart && (scalar == "&" || scalar == "*") && !endsToken {
                    report("YAML anchors and aliases ('&name', '*name') are not allowed in front matter; "
                           + "write each value out in full", column: index + 1)
                    return diagnostics
                } else if atNodeStart && flowDepth == 0 && (scalar == "|" || scalar == ">")
                            && isBlockScalarIndicator(scalars[index...]) {
                    blockScalarIndent = indentation
                    break
                } else if scalar == "[" || scalar == "{" {
                    flowDepth += 1
                    if flowDepth > maximumFlowDepth {
                        report("front matter is nested deeper than \(maximumFlowDepth) levels of brackets",
                               column: index + 1)
                        return diagnostics
                    }
                    atNodeStart = true
                } else if scalar == "]" || scalar == "}" {
                    flowDepth = max(0, flowDepth - 1)
                    atNodeStart = false
                } else if scalar == "," && flowDepth > 0 {
                    atNodeStart = true
                } else if (scalar == "-" || scalar == "?" || scalar == ":") && endsToken
                            || scalar == ":" && flowDepth > 0 {
                    atNodeStart = true
                } else {
                    atNodeStart = false
                }
                index += 1
            }
        }
        return diagnostics
    }

    /// `key：value` where the key is an identifier: returns the key and the colon's index.
    private static func fullWidthColonAfterKey(_ scalars: [Unicode.Scalar], from start: Int) -> (key: String, index: Int)? {
        var keyStart = start
        if keyStart + 1 < scalars.count && scalars[keyStart] == "-" && scalars[keyStart + 1] == " " {
            keyStart += 2
            while keyStart < scalars.count && scalars[keyStart] == " " { keyStart += 1 }
        }
        var keyEnd = keyStart
        while keyEnd < scalars.count, scalars[keyEnd].isASCII,
              scalars[keyEnd].properties.isAlphabetic || scalars[keyEnd] == "_" || ("0"..."9").contains(scalars[keyEnd]) {
            keyEnd += 1
        }
        var index = keyEnd
        while index < scalars.count && scalars[index] == " " { index += 1 }
        guard keyEnd > keyStart, index < scalars.count, scalars[index] == "：" else { return nil }
        return (String(String.UnicodeScalarView(scalars[keyStart..<keyEnd])), index)
    }

    /// Whether the rest of a line after `key:` opens a block scalar: `|`, `>`, with optional indicators.
    private static func isBlockScalarIndicator(_ rest: ArraySlice<Unicode.Scalar>) -> Bool {
        let trimmed = rest.drop { $0 == " " }
        guard let first = trimmed.first, first == "|" || first == ">" else { return false }
        let indicators = trimmed.dropFirst().prefix { $0 != " " && $0 != "#" }
        return indicators.allSatisfy { $0 == "-" || $0 == "+" || ("1"..."9").contains($0) }
    }
}
