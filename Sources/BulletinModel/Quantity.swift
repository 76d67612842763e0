/// An exact decimal number as written in a bulletin (`27093`, `27,093`, `989258.5`, `19.4万`, `1.2亿`),
/// keeping the magnitude the editor wrote it in so it can be shown the same way.
public struct Quantity: Hashable, Sendable, Comparable, Codable, CustomStringConvertible {
    /// The value times 10^`scale`.
    public let units: Int64
    /// Digits after the decimal point (0...9), with no trailing zeros.
    public let scale: Int
    /// The Chinese magnitude the value was written with.
    public let notation: Notation

    public enum Notation: String, Sendable, Codable {
        case plain
        /// Written with 万 (10⁴).
        case wan = "万"
        /// Written with 亿 (10⁸).
        case yi = "亿"

        var exponent: Int {
            switch self {
            case .plain: 0
            case .wan: 4
            case .yi: 8
            }
        }
    }

    public init(units: Int64, scale: Int, notation: Notation = .plain) {
        var units = units
        var scale = scale
        while scale > 0 && units % 10 == 0 {
            units /= 10
            scale -= 1
        }
        self.units = units
        self.scale = scale
        self.notation = notation
    }

    /// Creates a quantity from an integer.
    public init(_ value: Int) {
        self.init(units: Int64(value), scale: 0)
    }

    /// The value as a Double, for charts and arithmetic where exactness is not needed.
    public var doubleValue: Double {
        Double(units) / Quantity.power(scale)
    }

    public static func < (lhs: Quantity, rhs: Quantity) -> Bool {
        let scale = max(lhs.scale, rhs.scale)
        let (l, lo) = lhs.units.multipliedReportingOverflow(by: Int64(Quantity.power(scale - lhs.scale)))
        let (r, ro) = rhs.units.multipliedReportingOverflow(by: Int64(Quantity.power(scale - rhs.scale)))
        if lo || ro { return lhs.doubleValue < rhs.doubleValue }
        return l < r
    }

    public static func == (lhs: Quantity, rhs: Quantity) -> Bool {
        lhs.units == rhs.units && lhs.scale == rhs.scale
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(units)
        hasher.combine(scale)
    }

    /// `self - other`, exact; nil when the result does not fit.
    public func subtracting(_ other: Quantity) -> Quantity? {
        let scale = max(self.scale, other.scale)
        var a = units, b = other.units
        for _ in self.scale..<scale { let (r, o) = a.multipliedReportingOverflow(by: 10); if o { return nil }; a = r }
        for _ in other.scale..<scale { let (r, o) = b.multipliedReportingOverflow(by: 10); if o { return nil }; b = r }
        let (difference, overflow) = a.subtractingReportingOverflow(b)
        return overflow ? nil : Quantity(units: difference, scale: scale)
    }

    /// Plain digits with a decimal point: `194000`, `989258.5`.
    public var plain: String {
        let (integer, fraction) = parts
        return (units < 0 ? "-" : "") + integer + (fraction.isEmpty ? "" : "." + fraction)
    }

    /// Digits grouped by thousands: `27,093`, `989,258.5`.
    public var grouped: String {
        let (integer, fraction) = parts
        var groupedInteger = ""
        for (offset, digit) in integer.enumerated() {
            if offset > 0 && (integer.count - offset) % 3 == 0 { groupedInteger.append(",") }
            groupedInteger.append(digit)
        }
        return (units < 0 ? "-" : "") + groupedInteger + (fraction.isEmpty ? "" : "." + fraction)
    }

    /// In 万 or 亿 when the value reaches them, with at most `fractionDigits` decimals: `19.4万`, `1.2亿`,
    /// `98.93万`; smaller values grouped by thousands.
    public func chineseMagnitude(fractionDigits: Int = 2) -> String {
        let magnitude = abs(doubleValue)
        let (divisor, suffix): (Double, String) =
            magnitude >= 1e8 ? (1e8, "亿") : magnitude >= 1e4 ? (1e4, "万") : (1, "")
        if suffix.isEmpty { return grouped }
        let scaled = (doubleValue / divisor * Quantity.power(fractionDigits)).rounded() / Quantity.power(fractionDigits)
        let rounded = Quantity(units: Int64((scaled * Quantity.power(fractionDigits)).rounded()), scale: fractionDigits)
        return rounded.plain + suffix
    }

    /// As the editor wrote it: `19.4万` stays `19.4万`; a plain number is grouped: `27,093`.
    public var display: String {
        guard notation != .plain else { return grouped }
        let exponent = notation.exponent
        let shown = Quantity(units: units, scale: scale + exponent)
        return shown.plain + notation.rawValue
    }

    public var description: String { plain }

    private var parts: (integer: String, fraction: String) {
        var digits = String(units.magnitude)
        if scale > 0 {
            if digits.count <= scale { digits = String(repeating: "0", count: scale - digits.count + 1) + digits }
            let split = digits.index(digits.endIndex, offsetBy: -scale)
            return (String(digits[..<split]), String(digits[split...]))
        }
        return (digits, "")
    }

    private static func power(_ exponent: Int) -> Double {
        var result = 1.0
        for _ in 0..<max(0, exponent) { result *= 10 }
        return result
    }

    /// Why a text is not a number by the bulletin rules.
    public enum ParseProblem: Error, Equatable, Sendable {
        case notANumber
        case misplacedThousandsSeparator
        case tooLarge
    }

    /// Parses a number by the bulletin rules (not YAML's): digits with optional thousands separators
    /// (`27,093`), an optional fraction, an optional 万 or 亿 suffix; leading zeros are decimal (`012` is 12);
    /// full-width digits are accepted. `1:20`, `0x10`, `1e5` are not numbers.
    public static func parse(_ text: String) -> Result<Quantity, ParseProblem> {
        var scalars = Array(text.unicodeScalars).map { scalar -> Unicode.Scalar in
            if (0xFF10...0xFF19).contains(scalar.value) { return Unicode.Scalar(scalar.value - 0xFF10 + 0x30)! }
            if scalar == "．" { return "." }
            return scalar
        }
        var notation = Notation.plain
        if let last = scalars.last {
            if last == "万" { notation = .wan; scalars.removeLast() }
            else if last == "亿" { notation = .yi; scalars.removeLast() }
        }
        var negative = false
        if scalars.first == "-" { negative = true; scalars.removeFirst() }
        guard !scalars.isEmpty else { return .failure(.notANumber) }
        let pointIndex = scalars.firstIndex(of: ".")
        let integerPart = scalars[..<(pointIndex ?? scalars.endIndex)]
        let fractionPart = pointIndex.map { scalars[($0 + 1)...] } ?? []
        guard !integerPart.isEmpty, pointIndex == nil || !fractionPart.isEmpty,
              fractionPart.allSatisfy(isDigit) else { return .failure(.notANumber) }
        if integerPart.contains(",") {
            let groups = integerPart.split(separator: ",", omittingEmptySubsequences: false)
            guard groups.allSatisfy({ $0.allSatisfy(isDigit) && !$0.isEmpty }) else { return .failure(.notANumber) }
            guard (1...3).contains(groups[0].count), groups.dropFirst().allSatisfy({ $0.count == 3 }) else {
                return .failure(.misplacedThousandsSeparator)
            }
        } else if !integerPart.allSatisfy(isDigit) {
            return .failure(.notANumber)
        }
        let digits = integerPart.filter { $0 != "," } + fractionPart
        guard digits.count + notation.exponent <= 18 else { return .failure(.tooLarge) }
        var units: Int64 = 0
        for digit in digits { units = units * 10 + Int64(digit.value - 0x30) }
        var scale = fractionPart.count - notation.exponent
        while scale < 0 { units *= 10; scale += 1 }
        return .success(Quantity(units: negative ? -units : units, scale: scale, notation: notation))
    }

    private static func isDigit(_ scalar: Unicode.Scalar) -> Bool { ("0"..."9").contains(scalar) }
}
