import Foundation

/// The tokenizer of the search index. `templates/static/search.js` implements the same rules for queries, and
/// both are checked against the shared vectors in `Tests/BulletinTests/Fixtures/search/tokenizer-vectors.json`.
///
/// Text is first normalised (NFKC, which folds full-width forms to half-width, then lower-cased). Then:
/// - CJK characters (Han, kana, Hangul) form runs; each run is indexed as overlapping bigrams with their
///   positions and as single characters. Positions count CJK characters; anything else between two runs adds
///   one, so a phrase never matches across a break.
/// - Runs of other letters and digits are words.
/// - Numbers (`27093`, `27,093`, `19.4`) are indexed in a canonical form, and with a following 万 or 亿 also
///   as the plain value (`19.4万` → `19.4` and `194000`). The 万 stays part of the CJK run.
public enum SearchTokenizer {
    /// One piece of normalised text.
    public enum Token: Sendable, Hashable {
        /// A CJK character at a position.
        case cjk(Unicode.Scalar, position: Int)
        /// A lower-cased word of letters and digits.
        case word(String)
        /// A number in canonical form, and its plain value when a 万 or 亿 follows.
        case number(String, plain: String?)
    }

    /// The tokens of `text`, in order. `firstPosition` continues the CJK positions of earlier text.
    public static func tokens(_ text: String, firstPosition: Int = 0) -> (tokens: [Token], nextPosition: Int) {
        var tokens: [Token] = []
        let next = scan(text, firstPosition: firstPosition) { tokens.append($0) }
        return (tokens, next)
    }

    /// Calls `emit` for every token of `text`; returns the position after the text (one past a closing gap, so
    /// the next text's characters are never adjacent to this one's).
    @discardableResult
    public static func scan(_ text: String, firstPosition: Int = 0, emit: (Token) -> Void) -> Int {
        let scalars = normalizedScalars(text)
        var position = firstPosition
        var inRun = false
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            if isCJK(scalar) {
                emit(.cjk(scalar, position: position))
                position += 1
                inRun = true
                index += 1
                continue
            }
            if inRun {
                position += 1
                inRun = false
            }
            if isDigit(scalar), let number = scanNumber(scalars, from: index) {
                emit(.number(number.canonical, plain: number.plain))
                index = number.end
                continue
            }
            if isWordScalar(scalar) {
                var end = index
                var word = String.UnicodeScalarView()
                var ascii = true
                while end < scalars.count, isWordScalar(scalars[end]), !isCJK(scalars[end]) {
                    word.append(scalars[end])
                    ascii = ascii && scalars[end].isASCII
                    end += 1
                }
                emit(.word(ascii ? asciiLowercased(word) : String(word).lowercased()))
                index = end
                continue
            }
            index += 1
        }
        return inRun ? position + 1 : position
    }

    // MARK: - Normalisation

    /// NFKC, then lower case: what a query and a text are compared in.
    public static func normalize(_ text: String) -> String {
        String(String.UnicodeScalarView(normalizedScalars(text))).lowercased()
    }

    /// The NFKC form of `text` (case is left to the words). Full-width ASCII forms and the ideographic space
    /// map to ASCII directly; only text with other characters that NFKC may change goes through Foundation.
    static func normalizedScalars(_ text: String) -> [Unicode.Scalar] {
        var result: [Unicode.Scalar] = []
        result.reserveCapacity(text.utf8.count / 2)
        for scalar in text.unicodeScalars {
            if isNormalizationStable(scalar) {
                result.append(scalar)
            } else if (0xFF01...0xFF5E).contains(scalar.value) {
                result.append(Unicode.Scalar(scalar.value - 0xFEE0)!)
            } else if scalar.value == 0x3000 {
                result.append(" ")
            } else {
                return Array(text.precomposedStringWithCompatibilityMapping.unicodeScalars)
            }
        }
        return result
    }

    private static func asciiLowercased(_ word: String.UnicodeScalarView) -> String {
        var lowered = String.UnicodeScalarView()
        for scalar in word {
            lowered.append((0x41...0x5A).contains(scalar.value) ? Unicode.Scalar(scalar.value + 0x20)! : scalar)
        }
        return String(lowered)
    }

    /// Characters that NFKC never changes and that never combine with a neighbour: ASCII, the common CJK
    /// ideographs and the punctuation of Chinese prose.
    private static func isNormalizationStable(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x20...0x7E, 0x0A, 0x09, 0x4E00...0x9FFF, 0x3001, 0x3002, 0x3008...0x3011, 0x2014, 0x2018, 0x2019, 0x201C, 0x201D,
             0x00B7:
            true
        default:
            false
        }
    }

    // MARK: - Character classes

    /// Han ideographs, kana and Hangul syllables: the scripts indexed by character bigrams.
    public static func isCJK(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x3005...0x3007, 0x3040...0x309F, 0x30A0...0x30FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xAC00...0xD7AF,
             0xF900...0xFAFF, 0x20000...0x323AF:
            true
        default:
            false
        }
    }

    /// Letters, decimal digits and combining marks (Unicode categories L, Nd and M).
    static func isWordScalar(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII {
            let value = scalar.value
            return (0x30...0x39).contains(value) || (0x61...0x7A).contains(value) || (0x41...0x5A).contains(value)
        }
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter, .decimalNumber,
             .nonspacingMark, .spacingMark, .enclosingMark:
            return true
        default:
            return false
        }
    }

    private static func isDigit(_ scalar: Unicode.Scalar) -> Bool { (0x30...0x39).contains(scalar.value) }

    // MARK: - Numbers

    private struct ScannedNumber {
        var canonical: String
        var plain: String?
        var end: Int
    }

    /// A number at `start`: digits, thousands groups of three (`27,093`), a decimal part, and an optional
    /// magnitude (万, 亿) that is looked at but not consumed. Nil when letters follow (`20g` is a word).
    private static func scanNumber(_ scalars: [Unicode.Scalar], from start: Int) -> ScannedNumber? {
        var end = start
        var integer = ""
        while end < scalars.count, isDigit(scalars[end]) {
            integer.unicodeScalars.append(scalars[end])
            end += 1
        }
        while end + 3 < scalars.count, scalars[end] == ",", isDigit(scalars[end + 1]), isDigit(scalars[end + 2]),
              isDigit(scalars[end + 3]), end + 4 == scalars.count || !isDigit(scalars[end + 4]) {
            integer.unicodeScalars.append(contentsOf: scalars[(end + 1)...(end + 3)])
            end += 4
        }
        var fraction = ""
        if end + 1 < scalars.count, scalars[end] == ".", isDigit(scalars[end + 1]) {
            end += 1
            while end < scalars.count, isDigit(scalars[end]) {
                fraction.unicodeScalars.append(scalars[end])
                end += 1
            }
        }
        if end < scalars.count, isWordScalar(scalars[end]), !isCJK(scalars[end]) { return nil }
        let canonical = canonicalNumber(integer: integer, fraction: fraction)
        var plain: String?
        if end < scalars.count {
            switch scalars[end] {
            case "万": plain = scaled(integer: integer, fraction: fraction, zeros: 4)
            case "亿": plain = scaled(integer: integer, fraction: fraction, zeros: 8)
            default: break
            }
        }
        return ScannedNumber(canonical: canonical, plain: plain, end: end)
    }

    /// Digits without leading zeros in the integer part or trailing zeros in the fraction.
    static func canonicalNumber(integer: String, fraction: String) -> String {
        let whole = integer.drop { $0 == "0" }
        let decimals = fraction.reversed().drop { $0 == "0" }.reversed()
        let head = whole.isEmpty ? "0" : String(whole)
        return decimals.isEmpty ? head : head + "." + String(decimals)
    }

    /// The number times 10^zeros, written out.
    private static func scaled(integer: String, fraction: String, zeros: Int) -> String {
        let padded = fraction.count < zeros ? fraction + String(repeating: "0", count: zeros - fraction.count) : fraction
        let shifted = integer + padded.prefix(zeros)
        return canonicalNumber(integer: shifted, fraction: String(padded.dropFirst(zeros)))
    }
}
