import BulletinModel

/// The masthead of an extracted bulletin: series name, 第N期, （总第N期）, publishers, date.
struct Masthead {
    var series: String?
    var seriesUncertain = false
    var issue: Int?
    var supplement = false
    var serial: Int?
    var publishers: [String] = []
    var date: CalendarDate?
    /// Index of the first line after the masthead.
    var bodyStart = 0
    var warnings: [String] = []

    static func parse(_ lines: [String]) -> Masthead {
        var masthead = Masthead()
        let head = lines.indices.prefix(40)
        guard let issueLine = head.first(where: { lines[$0].firstMatch(of: issuePattern) != nil || lines[$0].contains("增刊") }) else {
            masthead.warnings.append("no 第N期 line found in the first lines; the masthead was not recognised")
            return masthead
        }
        let seriesLines = lines[..<issueLine].filter { !$0.isEmpty && $0.firstMatch(of: /内部|资料|注意保存/) == nil }
        if !seriesLines.isEmpty {
            masthead.series = seriesLines.joined(separator: "·")
            masthead.seriesUncertain = seriesLines.count > 1
        }
        let issueText = lines[issueLine]
        if let match = issueText.firstMatch(of: issuePattern) {
            masthead.issue = ChineseNumbers.value(String(match.1))
        }
        masthead.supplement = issueText.contains("增刊")
        if masthead.supplement { masthead.warnings.append("增刊 (a supplement): check the issue number") }
        var cursor = issueLine
        for index in issueLine..<min(lines.count, issueLine + 3) {
            if let match = lines[index].firstMatch(of: /总\s*第\s*([0-9０-９一二三四五六七八九十百〇零]+)\s*期/) {
                masthead.serial = ChineseNumbers.value(String(match.1))
                cursor = index
                break
            }
        }
        var index = cursor + 1
        while index < min(lines.count, cursor + 10) {
            let line = lines[index]
            if let (date, range) = DateText.find(in: line) {
                masthead.date = date
                let before = String(line[..<range.lowerBound]).trimmingSpaces()
                if !before.isEmpty { masthead.publishers.append(before) }
                index += 1
                break
            }
            if !line.isEmpty { masthead.publishers.append(line) }
            index += 1
        }
        if masthead.date == nil {
            masthead.warnings.append("no date found in the masthead")
            index = cursor + 1
            masthead.publishers = []
        }
        masthead.bodyStart = min(index, lines.count)
        return masthead
    }

    static var issuePattern: Regex<(Substring, Substring)> { /第\s*([0-9０-９一二三四五六七八九十百〇零]+)\s*期/ }
}

/// Dates as bulletins print them.
enum DateText {
    /// The first date in `line` and where it stands: `2017 年 3 月 7 日`, `2017年3月7日`, `二〇一七年三月七日`,
    /// `2017-03-07`, `2017.3.7`, `2017/3/7`.
    static func find(in line: String) -> (CalendarDate, Range<String.Index>)? {
        if let match = line.firstMatch(of: /([0-9]{4})\s*年\s*([0-9]{1,2})\s*月\s*([0-9]{1,2})\s*日/),
           let date = CalendarDate(year: Int(match.1)!, month: Int(match.2)!, day: Int(match.3)!) {
            return (date, match.range)
        }
        if let match = line.firstMatch(of: /([〇零○一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日/),
           let year = ChineseNumbers.year(String(match.1)), let month = ChineseNumbers.value(String(match.2)),
           let day = ChineseNumbers.value(String(match.3)), let date = CalendarDate(year: year, month: month, day: day) {
            return (date, match.range)
        }
        if let match = line.firstMatch(of: /([0-9]{4})[-.\/／．]([0-9]{1,2})[-.\/／．]([0-9]{1,2})/),
           let date = CalendarDate(year: Int(match.1)!, month: Int(match.2)!, day: Int(match.3)!) {
            return (date, match.range)
        }
        return nil
    }
}

extension String {
    func trimmingSpaces() -> String {
        ExtractedLines.trim(self)
    }
}
