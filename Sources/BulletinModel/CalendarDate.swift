/// A day on the calendar, as written in front matter: no time, no time zone, so it never drifts.
public struct CalendarDate: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    /// Creates a date, or nil when the day does not exist (2024-02-30, 2023-02-29, month 13).
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month),
              (1...CalendarDate.days(inMonth: month, year: year)).contains(day) else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    public static func days(inMonth month: Int, year: Int) -> Int {
        switch month {
        case 2: isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    public static func isLeap(_ year: Int) -> Bool {
        (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
    }

    /// Why a text is not a date.
    public enum ParseProblem: Error, Equatable, Sendable {
        /// Not of the form YYYY-MM-DD.
        case malformed
        /// Of the right form, but no such day: carries the number of days the month has, or 0 for a bad month.
        case noSuchDay(daysInMonth: Int)
    }

    /// Parses `YYYY-MM-DD` (four-digit year, two-digit month and day).
    public static func parse(_ text: String) -> Result<CalendarDate, ParseProblem> {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              parts.allSatisfy({ $0.utf8.allSatisfy { (0x30...0x39).contains($0) } }),
              let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]) else {
            return .failure(.malformed)
        }
        guard let date = CalendarDate(year: year, month: month, day: day) else {
            let days = (1...12).contains(month) ? days(inMonth: month, year: year) : 0
            return .failure(.noSuchDay(daysInMonth: days))
        }
        return .success(date)
    }

    public static func < (lhs: CalendarDate, rhs: CalendarDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    /// ISO 8601: `2017-03-07`.
    public var description: String { iso }

    /// ISO 8601: `2017-03-07`.
    public var iso: String {
        let m = month < 10 ? "0\(month)" : "\(month)"
        let d = day < 10 ? "0\(day)" : "\(day)"
        return "\(year)-\(m)-\(d)"
    }

    /// As printed on bulletins: `2017年3月7日`.
    public var chinese: String { "\(year)年\(month)月\(day)日" }
}
