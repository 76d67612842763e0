/// Identifiers and path segments made from text.
public enum Slug {
    /// An HTML id for a heading: letters and digits of any script kept (ASCII lower-cased), runs of spaces and
    /// dashes turned into one `-`, everything else dropped; `section` when nothing is left.
    public static func headingID(_ text: String) -> String {
        var id = ""
        var pendingDash = false
        for scalar in text.unicodeScalars {
            // CJK ideographs, most of a Chinese heading, are letters: answered without looking up properties.
            let properties = scalar.properties
            if (0x4E00...0x9FFF).contains(scalar.value) || properties.isAlphabetic || properties.numericType != nil || scalar == "_" {
                if pendingDash && !id.isEmpty { id.append("-") }
                pendingDash = false
                id.unicodeScalars.append(scalar.isASCII ? Unicode.Scalar(UInt8(ascii: scalar).lowercasedASCII) : scalar)
            } else if properties.isWhitespace || scalar == "-" {
                pendingDash = true
            }
        }
        return id.isEmpty ? "section" : id
    }
}

private extension UInt8 {
    init(ascii scalar: Unicode.Scalar) { self = UInt8(scalar.value) }

    var lowercasedASCII: UInt8 { (0x41...0x5A).contains(self) ? self + 0x20 : self }
}
