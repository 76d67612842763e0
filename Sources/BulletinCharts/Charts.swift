import BulletinModel
import BulletinSupport
import Foundation

/// One line of a line chart.
public struct ChartSeries: Sendable {
    public var name: String
    public var points: [(date: CalendarDate, value: Double)]

    public init(name: String, points: [(date: CalendarDate, value: Double)]) {
        self.name = name
        self.points = points
    }
}

/// SVG charts drawn at build time: no script, no outside service. Each has a `<title>` and a `<desc>` for
/// screen readers, axis labels in Chinese with 万/亿, and prints as vector graphics.
public enum Charts {
    static let width = 640.0, height = 300.0
    static let left = 76.0, right = 20.0, top = 32.0, bottom = 44.0
    static let palette = ["#c8161d", "#0b4f9c", "#2e7d32", "#8e24aa", "#ef6c00", "#546e7a"]

    /// A line chart over time, one line per series, the value axis from zero.
    public static func line(id: String, title: String, description: String, unit: String, series: [ChartSeries]) -> String {
        let allPoints = series.flatMap(\.points)
        guard !allPoints.isEmpty else { return "" }
        let days = allPoints.map { Double(dayNumber($0.date)) }
        var (minX, maxX) = (days.min()!, days.max()!)
        if minX == maxX { minX -= 183; maxX += 183 }
        let ticks = valueTicks(max: allPoints.map(\.value).max()!)
        let maxY = ticks.last!
        func x(_ date: CalendarDate) -> Double { left + (Double(dayNumber(date)) - minX) / (maxX - minX) * (width - left - right) }
        func y(_ value: Double) -> Double { height - bottom - value / maxY * (height - top - bottom) }

        var svg = header(id: id, title: title, description: description)
        svg += grid(ticks: ticks, y: y, unit: unit)
        let firstYear = calendarYear(fromDay: minX), lastYear = calendarYear(fromDay: maxX)
        let step = max(1, (lastYear - firstYear + 1) / 8)
        var dateTicks = stride(from: firstYear, through: lastYear, by: step).compactMap { year -> (CalendarDate, String)? in
            guard let date = CalendarDate(year: year, month: 1, day: 1), Double(dayNumber(date)) >= minX else { return nil }
            return (date, "\(year)年")
        }
        if dateTicks.count < 2 {
            let dates = Array(Set(allPoints.map(\.date))).sorted()
            dateTicks = (dates.count <= 6 ? dates : [dates.first!, dates.last!]).map { ($0, "\($0.year)年\($0.month)月") }
        }
        for (date, label) in dateTicks {
            let position = format(x(date))
            let anchor = x(date) > width - right - 40 ? "end" : "middle"
            svg += "<line x1=\"\(position)\" y1=\"\(format(height - bottom))\" x2=\"\(position)\" y2=\"\(format(height - bottom + 5))\" stroke=\"#555\"/>\n"
            svg += "<text x=\"\(position)\" y=\"\(format(height - bottom + 20))\" text-anchor=\"\(anchor)\">\(label)</text>\n"
        }
        // Markers (with their values as tooltips) while they can be told apart; past that the lines alone, the
        // values being in the tables beside the chart.
        let showsMarkers = allPoints.count <= maximumMarkers
        for (index, line) in series.enumerated() {
            let color = palette[index % palette.count]
            let sorted = line.points.sorted { $0.date < $1.date }
            let coordinates = thinned(sorted.map { (x: x($0.date), y: y($0.value)) })
                .map { "\(format($0.x)),\(format($0.y))" }.joined(separator: " ")
            svg += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" points=\"\(coordinates)\"/>\n"
            for point in sorted where showsMarkers {
                svg += "<circle cx=\"\(format(x(point.date)))\" cy=\"\(format(y(point.value)))\" r=\"3.5\" fill=\"\(color)\">"
                    + "<title>\(HTMLText.escape(line.name)) \(point.date.chinese)：\(HTMLText.escape(axisLabel(point.value)))\(HTMLText.escape(unit))</title></circle>\n"
            }
        }
        if series.count > 1 {
            for (index, line) in series.enumerated() {
                let rowY = top + 14 + Double(index) * 16
                svg += "<rect x=\"\(format(width - right - 150))\" y=\"\(format(rowY - 9))\" width=\"10\" height=\"10\" fill=\"\(palette[index % palette.count])\"/>"
                svg += "<text x=\"\(format(width - right - 136))\" y=\"\(format(rowY))\">\(HTMLText.escape(line.name))</text>\n"
            }
        }
        return svg + "</svg>\n"
    }

    /// The vertices of a line with more points than the plot has room for: in each band of `band` units of x,
    /// the lowest and the highest point in their order (the line's envelope is what the eye sees at that
    /// density). Lines with a vertex every `band` units or fewer are kept as they are.
    static func thinned(_ points: [(x: Double, y: Double)], band: Double = 2) -> [(x: Double, y: Double)] {
        guard Double(points.count) > (width - left - right) / band else { return points }
        var kept: [(x: Double, y: Double)] = []
        var start = 0
        while start < points.count {
            let bucket = (points[start].x / band).rounded(.down)
            var end = start
            while end < points.count, (points[end].x / band).rounded(.down) == bucket { end += 1 }
            let members = start..<end
            let low = members.min { points[$0].y < points[$1].y }!, high = members.max { points[$0].y < points[$1].y }!
            for index in Set([low, high]).sorted() { kept.append(points[index]) }
            start = end
        }
        return kept
    }

    /// A bar chart of one value per labelled bar (a year), the value axis from zero.
    public static func bars(id: String, title: String, description: String, unit: String,
                            bars: [(label: String, value: Double)]) -> String {
        guard !bars.isEmpty else { return "" }
        let ticks = valueTicks(max: bars.map(\.value).max()!)
        let maxY = ticks.last!
        func y(_ value: Double) -> Double { height - bottom - value / maxY * (height - top - bottom) }
        var svg = header(id: id, title: title, description: description)
        svg += grid(ticks: ticks, y: y, unit: unit)
        let slot = (width - left - right) / Double(bars.count)
        let barWidth = min(60, slot * 0.6)
        for (index, bar) in bars.enumerated() {
            let center = left + slot * (Double(index) + 0.5)
            svg += "<rect x=\"\(format(center - barWidth / 2))\" y=\"\(format(y(bar.value)))\" width=\"\(format(barWidth))\" "
                + "height=\"\(format(height - bottom - y(bar.value)))\" fill=\"\(palette[0])\">"
                + "<title>\(HTMLText.escape(bar.label))：\(HTMLText.escape(axisLabel(bar.value)))\(HTMLText.escape(unit))</title></rect>\n"
            svg += "<text x=\"\(format(center))\" y=\"\(format(height - bottom + 20))\" text-anchor=\"middle\">\(HTMLText.escape(bar.label))</text>\n"
        }
        return svg + "</svg>\n"
    }

    /// An axis label: `8,000`, `1.5万`, `2亿`.
    public static func axisLabel(_ value: Double) -> String {
        let scaled = (value * 100).rounded()
        guard abs(scaled) < 9e17 else { return String(format: "%.3g", value) }
        return Quantity(units: Int64(scaled), scale: 2).chineseMagnitude()
    }

    /// Round tick values from zero past `max`: steps of 1, 2 or 5 times a power of ten, about five of them.
    static func valueTicks(max value: Double) -> [Double] {
        let top = value > 0 ? value : 1
        let rough = top / 5
        let magnitude = pow(10, floor(log10(rough)))
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= rough }!
        let count = Int((top / step).rounded(.up))
        return (0...max(1, count)).map { Double($0) * step }
    }

    private static func header(id: String, title: String, description: String) -> String {
        """
        <svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 \(Int(width)) \(Int(height))" role="img" \
        aria-labelledby="\(id)-title \(id)-desc" font-family="'Noto Sans CJK SC', 'PingFang SC', 'Microsoft YaHei', sans-serif" font-size="12" fill="#1a1a1a">
        <title id="\(id)-title">\(HTMLText.escape(title))</title>
        <desc id="\(id)-desc">\(HTMLText.escape(description))</desc>

        """
    }

    private static func grid(ticks: [Double], y: (Double) -> Double, unit: String) -> String {
        var svg = ""
        for tick in ticks {
            let position = format(y(tick))
            svg += "<line x1=\"\(format(left))\" y1=\"\(position)\" x2=\"\(format(width - right))\" y2=\"\(position)\" stroke=\"#ddd\"/>\n"
            svg += "<text x=\"\(format(left - 8))\" y=\"\(format(y(tick) + 4))\" text-anchor=\"end\">\(HTMLText.escape(axisLabel(tick)))</text>\n"
        }
        svg += "<text x=\"\(format(left - 8))\" y=\"\(format(top - 16))\" text-anchor=\"end\">\(HTMLText.escape(unit))</text>\n"
        svg += "<line x1=\"\(format(left))\" y1=\"\(format(height - bottom))\" x2=\"\(format(width - right))\" y2=\"\(format(height - bottom))\" stroke=\"#555\"/>\n"
        return svg
    }

    /// Days since 0001-01-01 (proleptic Gregorian), for a time axis without time zones.
    static func dayNumber(_ date: CalendarDate) -> Int {
        let y = date.year - 1
        var days = y * 365 + y / 4 - y / 100 + y / 400
        for month in 1..<date.month { days += CalendarDate.days(inMonth: month, year: date.year) }
        return days + date.day - 1
    }

    private static func calendarYear(fromDay day: Double) -> Int {
        var year = Int(day / 365.2425) + 1
        while dayNumber(CalendarDate(year: year + 1, month: 1, day: 1)!) <= Int(day) { year += 1 }
        while dayNumber(CalendarDate(year: year, month: 1, day: 1)!) > Int(day) { year -= 1 }
        return year
    }

    /// Points per line up to which each gets a marker.
    static let maximumMarkers = 240

    /// A coordinate to one decimal, without a trailing `.0` (integer arithmetic: `String(format:)` is slow and
    /// a stat page draws thousands of points).
    static func format(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        if tenths % 10 == 0 { return String(tenths / 10) }
        return (tenths < 0 ? "-" : "") + String(abs(tenths) / 10) + "." + String(abs(tenths) % 10)
    }

}
