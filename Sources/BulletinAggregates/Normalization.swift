import Foundation

/// Text normalisation for identities and URL path segments.
public enum Normalization {
    /// The identity form of a name: Unicode NFC, full-width ASCII folded to half-width, ideographic spaces
    /// to spaces, runs of white space collapsed, trimmed. `Ｇ２０峰会` and `G20峰会` are the same name.
    public static func identity(_ text: String) -> String {
        var folded = String.UnicodeScalarView()
        var pendingSpace = false
        for scalar in text.precomposedStringWithCanonicalMapping.unicodeScalars {
            var value = scalar.value
            if (0xFF01...0xFF5E).contains(value) { value -= 0xFEE0 }
            if value == 0x3000 { value = 0x20 }
            let folded1 = Unicode.Scalar(value)!
            if folded1.properties.isWhitespace {
                pendingSpace = true
                continue
            }
            if pendingSpace && !folded.isEmpty { folded.append(" ") }
            pendingSpace = false
            folded.append(folded1)
        }
        return String(folded)
    }

    /// A folder name for a term or name that keeps Chinese characters: the identity form with ASCII letters
    /// lower-cased, white space as `-`, and characters that have a meaning in paths or URLs (`/ \\ ? # % : * " < > |`
    /// and control characters) dropped. Empty, `.` and `..` results become `_`. Names longer than 200 bytes are
    /// cut and given a hash suffix, so the result always fits a file system's 255-byte limit.
    public static func pathSegment(_ text: String) -> String {
        var segment = String.UnicodeScalarView()
        for scalar in identity(text).unicodeScalars {
            if scalar == " " { segment.append("-"); continue }
            if "/\\?#%:*\"<>|".unicodeScalars.contains(scalar) || scalar.properties.generalCategory == .control { continue }
            segment.append(scalar.isASCII ? Unicode.Scalar(UInt8(scalar.value)).lowercasedASCII : scalar)
        }
        var result = String(segment)
        if result.isEmpty || result == "." || result == ".." { result = "_" + result }
        if result.utf8.count > 200 {
            var cut = ""
            for character in result where cut.utf8.count + String(character).utf8.count <= 180 { cut.append(character) }
            result = cut + "-" + StableHash.hex(of: result).prefix(12)
        }
        return result
    }

    /// A path percent-encoded segment by segment for use in an `href`.
    public static func percentEncodedPath(_ path: String) -> String {
        if path.utf8.allSatisfy({ isUnreservedASCII($0) || $0 == UInt8(ascii: "/") }) { return path }
        return path.split(separator: "/", omittingEmptySubsequences: false).map { percentEncoded(String($0)) }.joined(separator: "/")
    }

    /// The segment percent-encoded for use in an `href`.
    public static func percentEncoded(_ segment: String) -> String {
        if segment.utf8.allSatisfy(isUnreservedASCII) { return segment }
        return segment.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? segment
    }
}

/// Letters, digits and `-._~`, which never need encoding in a path.
private func isUnreservedASCII(_ byte: UInt8) -> Bool {
    switch byte {
    case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
         UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"): true
    default: false
    }
}

private extension Unicode.Scalar {
    var lowercasedASCII: Unicode.Scalar {
        (0x41...0x5A).contains(value) ? Unicode.Scalar(value + 0x20)! : self
    }
}

/// FNV-1a over UTF-8: a hash that is the same on every run and machine (Swift's `Hasher` is seeded per run).
public enum StableHash {
    public static func hex(of text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        let digits = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}

/// The normal forms of names, each worked out once: for loops over every bulletin, which meet the same tags,
/// districts and exemplar names thousands of times (Unicode normalisation is costly).
public struct NameForms {
    private var identities: [String: String] = [:]
    private var segments: [String: String] = [:]

    public init() {}

    /// `Normalization.identity(name)`.
    public mutating func identity(_ name: String) -> String {
        if let known = identities[name] { return known }
        let form = Normalization.identity(name)
        identities[name] = form
        return form
    }

    /// `Normalization.pathSegment(name)`.
    public mutating func pathSegment(_ name: String) -> String {
        if let known = segments[name] { return known }
        let form = Normalization.pathSegment(name)
        segments[name] = form
        return form
    }
}
