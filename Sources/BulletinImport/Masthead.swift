import BulletinModel

/// The head and the foot of a bulletin: series, 第N期, （总第N期）, publishers and date from the masthead in any of
/// its forms, the title, and the 落款 (issuer and date signed at the end of a 通报 or 通知).
///
/// Three forms of head are recognised: the 简报 masthead (series over `第N期`, `（总第N期）`, publishers and date),
/// the web page (`[2012年第8期]《工作动态》`, `来源：…`, a URL, `时间：…`), and the document (issuer, `〔2020〕12号`,
/// `关于……的通报` over one or two lines). A value the text does not state stays nil: nothing is taken from a
/// neighbouring line that merely happens to be there.
struct Masthead {
    var series: String?
    var seriesUncertain = false
    var issue: Int?
    var supplement = false
    var serial: Int?
    var publishers: [String] = []
    var date: CalendarDate?
    var title: String?
    /// The lowest OCR confidence of the lines the series and the title were read from.
    var seriesConfidence: Double?
    var titleConfidence: Double?
    /// Masthead lines that are kept only as comments: URLs, document numbers, page chrome.
    var dropped: [String] = []
    /// The 落款's lines, taken out of the body.
    var signature: [String] = []
    /// The lines of the body, without the head and the 落款.
    var body: [SourceLine] = []
    var warnings: [String] = []

    static func parse(_ lines: [SourceLine], hasLayout: Bool, metadataTitle: String? = nil) -> Masthead {
        var masthead = Masthead()
        var remaining = lines
        masthead.takeWebLabels(&remaining)
        if !masthead.takeIssueMasthead(&remaining, hasLayout: hasLayout) {
            masthead.takeDocumentHead(&remaining, hasLayout: hasLayout)
        }
        masthead.takeTitle(&remaining, hasLayout: hasLayout)
        if let found = masthead.title, let metadataTitle, metadataTitle.filter({ !$0.isWhitespace }) == found.filter({ !$0.isWhitespace }) {
            masthead.title = metadataTitle.trimmingSpaces()
            masthead.warnings.removeAll { $0.hasPrefix("title joined") }
        }
        masthead.takeSignature(&remaining)
        if masthead.date == nil { masthead.warnings.append("no date found in the masthead or the 落款") }
        if let year = masthead.webYear, let date = masthead.date, date.year != year {
            masthead.warnings.append("the masthead says \(year)年 but the date is \(date.iso)")
        }
        masthead.body = remaining
        return masthead
    }

    // MARK: The web page's labelled lines

    /// `来源：某省文明办  时间：2020-05-06 09:30`, URL lines, `[2012年第8期]《工作动态》` and page chrome among the first lines.
    private mutating func takeWebLabels(_ lines: inout [SourceLine]) {
        var index = 0, seen = 0
        while index < lines.count && seen < 15 {
            let text = lines[index].text
            if text.isEmpty || lines[index].table != nil || lines[index].image != nil {
                index += 1
                continue
            }
            seen += 1
            if let match = text.firstMatch(of: /^[\[【]\s*([0-9]{4})\s*年\s*第\s*([0-9０-９一二三四五六七八九十百〇零]+)\s*期\s*[\]】]\s*(?:《(.+?)》)?\s*$/) {
                issue = ChineseNumbers.value(String(match.2))
                webYear = Int(match.1)
                if let name = match.3 { series = String(name) }
                lines.remove(at: index)
                continue
            }
            if let match = text.firstMatch(of: /^《(.+?)》\s*([0-9]{4})\s*年\s*第\s*([0-9０-９一二三四五六七八九十百〇零]+)\s*期\s*$/) {
                series = String(match.1)
                webYear = Int(match.2)
                issue = ChineseNumbers.value(String(match.3))
                lines.remove(at: index)
                continue
            }
            if text.firstMatch(of: /^(https?:\/\/|www\.)\S+$/) != nil
                || text.firstMatch(of: /^[【\[]?\s*(打印本页|关闭窗口|打印|关闭|分享到|返回顶部|字体[：:]?\s*大\s*中\s*小)/) != nil {
                dropped.append(text)
                lines.remove(at: index)
                continue
            }
            let pairs = Self.labelledValues(text)
            if !pairs.isEmpty {
                for (label, value) in pairs {
                    switch label {
                    case "信息来源", "来源", "发布单位", "发布机构":
                        if !value.isEmpty { publishers.append(value) }
                    case "发布时间", "发布日期", "时间", "日期":
                        if let (found, _) = DateText.find(in: value) { date = found }
                    default: break
                    }
                }
                dropped.append(text)
                lines.remove(at: index)
                continue
            }
            index += 1
        }
    }

    /// The year of a `[2012年第8期]` line, checked against the date.
    private var webYear: Int?

    /// `来源：A  时间：B` → [(来源, A), (时间, B)]; empty unless the line starts with a known label.
    static func labelledValues(_ text: String) -> [(String, String)] {
        let matches = text.matches(of: /(信息来源|来源|发布单位|发布机构|发布时间|发布日期|时间|日期|作者|责任编辑|编辑|浏览次数|点击数|点击量|阅读次数|字号|字体)\s*[：:]\s*/)
        guard let first = matches.first, first.range.lowerBound == text.startIndex else { return [] }
        var pairs: [(String, String)] = []
        for (number, match) in matches.enumerated() {
            let end = number + 1 < matches.count ? matches[number + 1].range.lowerBound : text.endIndex
            let label = String(match.1)
            pairs.append((label, String(text[match.range.upperBound..<end]).trimmingSpaces()))
        }
        return pairs
    }

    // MARK: The 简报 masthead

    static var issuePattern: Regex<(Substring, Substring)> { /第\s*([0-9０-９一二三四五六七八九十百〇零]+)\s*期/ }

    /// Series lines, `第N期`, `（总第N期）`, publishers and date; false when the first lines hold no issue line.
    private mutating func takeIssueMasthead(_ lines: inout [SourceLine], hasLayout: Bool) -> Bool {
        let head = Array(lines.indices.filter { !lines[$0].text.isEmpty }.prefix(12))
        guard let issueLine = head.first(where: { index in
            let text = lines[index].text
            return text.count <= 30 && (text.firstMatch(of: Self.issuePattern) != nil || text.contains("增刊"))
                && text.firstMatch(of: /关于|通报|通知/) == nil
        }) else {
            return issue != nil
        }
        var seriesLines = lines[..<issueLine].filter { !$0.text.isEmpty && $0.text.firstMatch(of: /内部|资料|注意保存|密|★/) == nil }
        if hasLayout, let largest = seriesLines.compactMap(\.size).max() {
            seriesLines = seriesLines.filter { $0.red || ($0.size ?? 0) >= largest - 0.5 }
        }
        if series == nil, !seriesLines.isEmpty {
            series = seriesLines.map(\.text).joined(separator: "·")
            seriesUncertain = seriesLines.count > 1
            seriesConfidence = seriesLines.compactMap(\.confidence).min()
        }
        let issueText = lines[issueLine].text
        if let match = issueText.firstMatch(of: Self.issuePattern) { issue = ChineseNumbers.value(String(match.1)) }
        supplement = issueText.contains("增刊")
        if supplement { warnings.append("增刊 (a supplement): check the issue number") }
        var cursor = issueLine
        for index in issueLine..<min(lines.count, issueLine + 3) {
            if let match = lines[index].text.firstMatch(of: /总\s*第\s*([0-9０-９一二三四五六七八九十百〇零]+)\s*期/) {
                serial = ChineseNumbers.value(String(match.1))
                cursor = index
                break
            }
        }
        var index = cursor + 1
        var found: [String] = []
        while index < min(lines.count, cursor + 6) {
            let text = lines[index].text
            if let (value, range) = DateText.find(in: text) {
                date = date ?? value
                let before = String(text[..<range.lowerBound]).trimmingSpaces()
                if !before.isEmpty { found.append(contentsOf: Self.publisherNames(before)) }
                index += 1
                break
            }
            if !text.isEmpty {
                guard text.count <= 40, !BodyReflow.endsSentence(text) else { break }
                found.append(contentsOf: Self.publisherNames(text))
            }
            index += 1
        }
        if date == nil || index > lines.count {
            index = cursor + 1
        } else {
            publishers += found
        }
        lines.removeSubrange(0..<min(index, lines.count))
        return true
    }

    /// `杭州市精神文明建设委员会办公室  杭州市精神文明建设研究会  编` → the two names (`编`, `主办` and the like dropped).
    static func publisherNames(_ text: String) -> [String] {
        var text = text.trimmingSpaces()
        for suffix in ["编印", "编发", "主办", "编"] where text.hasSuffix(suffix) { text = String(text.dropLast(suffix.count)).trimmingSpaces() }
        for prefix in ["编印单位：", "主办：", "编发：", "编印："] where text.hasPrefix(prefix) { text = String(text.dropFirst(prefix.count)) }
        return text.split(separator: "  ").map { String($0).trimmingSpaces() }.filter { !$0.isEmpty }
    }

    // MARK: The 通报 / 通知 head

    /// Issuer lines, the document number and a `关于……` title, when the text starts as an official document does.
    private mutating func takeDocumentHead(_ lines: inout [SourceLine], hasLayout: Bool) {
        let head = Array(lines.indices.filter { !lines[$0].text.isEmpty }.prefix(6))
        guard let titleStart = head.first(where: { lines[$0].text.hasPrefix("关于") }) else { return }
        var issuers: [String] = []
        for index in head where index < titleStart {
            let text = lines[index].text
            if text.firstMatch(of: /[〔\[［(（][0-9]{4}[〕\]］)）]\s*[0-9]+\s*号/) != nil {
                dropped.append(text)
                continue
            }
            guard text.count <= 40, !BodyReflow.endsSentence(text) else { return }
            var name = text
            if name.hasSuffix("文件") && name.count > 6 { name = String(name.dropLast(2)) }
            issuers.append(name)
        }
        var titleText = lines[titleStart].text
        var end = titleStart + 1
        while !Self.endsDocumentTitle(titleText), end < lines.count, end <= titleStart + 2 {
            let next = lines[end].text
            guard !next.isEmpty, next.count <= 40, !BodyReflow.endsSentence(next), !next.hasSuffix("：") else { break }
            titleText += next
            end += 1
        }
        guard Self.endsDocumentTitle(titleText) || titleText.count <= 40 else { return }
        title = titleText
        if end - titleStart > 1 { warnings.append("title joined from \(end - titleStart) lines: \(titleText)") }
        publishers += issuers.flatMap(Self.publisherNames)
        lines.removeSubrange(0..<end)
    }

    /// Whether a title is complete: `……的通报`, `……的通知`, `……意见` and the other kinds of official documents.
    static func endsDocumentTitle(_ text: String) -> Bool {
        text.firstMatch(of: /(通报|通知|意见|决定|报告|办法|方案|批复|函|纪要|通告|公告|要点|请示|规定|细则|总结|倡议书)$/) != nil
    }

    // MARK: The title of a 简报 or web page

    /// The headline after the masthead: with a layout, the largest line (and the lines of its size after it); in
    /// text, the first line when it is short and ends no sentence, joined with a short second line.
    private mutating func takeTitle(_ lines: inout [SourceLine], hasLayout: Bool) {
        guard title == nil else { return }
        guard let first = lines.firstIndex(where: { !$0.text.isEmpty || $0.table != nil }), lines[first].table == nil else { return }
        if hasLayout {
            let window = lines[first...].prefix(8).filter { !$0.text.isEmpty }
            let bodySize = Self.bodySize(lines)
            guard let size = lines[first].size, let largest = window.compactMap(\.size).max(), size >= largest - 0.5,
                  size > bodySize + 0.5 || lines[first].bold && lines[first].alignment == .centred
            else {
                warnings.append("no title: the text after the masthead starts with body text")
                return
            }
            var end = first + 1
            while end < lines.count, !lines[end].text.isEmpty, let next = lines[end].size, abs(next - size) < 0.5, end - first < 3 {
                end += 1
            }
            title = lines[first..<end].map(\.text).joined()
            titleConfidence = lines[first..<end].compactMap(\.confidence).min()
            if end - first > 1 { warnings.append("title joined from \(end - first) lines: \(title!)") }
            lines.removeSubrange(0..<end)
            return
        }
        let text = lines[first].text
        guard text.count <= 40, !BodyReflow.endsSentence(text) || text.count <= 25, !text.hasSuffix("：") else {
            warnings.append("no title: the text after the masthead starts with body text")
            return
        }
        var joined = text, end = first + 1
        if end < lines.count, !lines[end].text.isEmpty, lines[end].text.count <= 25, !BodyReflow.endsSentence(text),
           !lines[end].text.contains("，"), lines[end].table == nil,
           !BodyReflow.endsSentence(lines[end].text) || Self.endsDocumentTitle(lines[end].text),
           end + 1 == lines.count || lines[end + 1].text.isEmpty || !lines[first].isParagraph {
            joined += lines[end].text
            end += 1
            warnings.append("title joined from two lines: \(joined)")
        }
        if lines[first].isParagraph, BodyReflow.sectionLevel(joined) != nil { return }
        title = joined
        lines.removeSubrange(0..<end)
    }

    /// The most common font size among the lines: the body's.
    static func bodySize(_ lines: [SourceLine]) -> Double {
        var counts: [Double: Int] = [:]
        for line in lines where !line.text.isEmpty { if let size = line.size { counts[(size * 2).rounded() / 2, default: 0] += line.text.count } }
        return counts.max { $0.value < $1.value || $0.value == $1.value && $0.key > $1.key }?.key ?? 0
    }

    // MARK: The 落款

    /// The issuer and date signed at the end: a date alone on its line (or after the issuer), up to two issuer
    /// lines above it.
    private mutating func takeSignature(_ lines: inout [SourceLine]) {
        guard let last = lines.lastIndex(where: { !$0.isBlank }) else { return }
        let text = lines[last].text
        guard text.count <= 40, let (signed, range) = DateText.find(in: text) else { return }
        let before = String(text[..<range.lowerBound]).trimmingSpaces()
        let after = String(text[range.upperBound...]).trimmingSpaces()
        guard after.isEmpty || after.firstMatch(of: /^[（(].{0,20}[）)]$/) != nil, before.count <= 30 else { return }
        var issuers = before.isEmpty ? [] : [before]
        var taken = [text]
        var start = last
        while issuers.count < 2, start > 0 {
            var above = start - 1
            while above > 0 && lines[above].isBlank { above -= 1 }
            let candidate = lines[above].text
            guard !candidate.isEmpty, candidate.count <= 30, !BodyReflow.endsSentence(candidate),
                  !candidate.hasSuffix("：") && !candidate.hasSuffix("，"), Self.isOrganization(candidate) || lines[above].alignment == .right
            else { break }
            issuers.insert(candidate, at: 0)
            taken.insert(candidate, at: 0)
            start = above
        }
        guard !issuers.isEmpty || lines[last].alignment == .right || text == String(text[range]) else { return }
        signature = taken
        if date == nil {
            date = signed
        } else if date != signed {
            warnings.append("the 落款 is dated \(signed.iso), the masthead \(date!.iso)")
        }
        if publishers.isEmpty { publishers = issuers.flatMap(Self.publisherNames) }
        lines.removeSubrange(start...)
    }

    /// Names of offices, committees, departments and other bodies.
    static func isOrganization(_ text: String) -> Bool {
        text.firstMatch(of: /(办公室|委员会|办|委|局|厅|部|院|政府|中心|协会|研究会|联合会|总队|支队|大队|街道|社区|公司|集团|学校|大学|站|处|科|所|组|会)(（[^）]*）)?$/) != nil
    }
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
        if let match = line.firstMatch(of: /([〇零○一二三四五六七八九]{4})\s*年\s*([一二三四五六七八九十]{1,3})\s*月\s*([一二三四五六七八九十]{1,3})\s*日/),
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
