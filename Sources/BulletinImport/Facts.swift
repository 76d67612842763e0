import BulletinModel

/// Figures and honours found in the body text.
struct Facts {
    struct FoundStat {
        var key: String
        var keyIsGenerated: Bool
        var label: String
        var value: String
        var unit: String
        var scope: String?
        var note: String?
        var asOf: String?
    }

    struct FoundExemplar {
        var name: String
        var kind: Exemplar.Kind
        var kindUncertain: Bool
        var honor: String
        var program: String?
        var conferredBy: String?
        var year: Int?
        var district: String?
    }

    var stats: [FoundStat] = []
    var exemplars: [FoundExemplar] = []
    var districts: [String] = []

    /// Units of measure, longest first.
    static let units = ["人次", "小时", "万元", "户", "名", "个", "篇", "册", "次", "项", "家", "支", "场", "元", "所", "座", "处", "件", "人", "期", "批"]

    /// Built-in vocabulary of common measures: words the sentence must contain, the unit, the key.
    static let vocabulary: [(keywords: [String], unit: String?, key: String)] = [
        (["家庭"], "户", "family_volunteer_households"),
        (["家庭成员"], "名", "family_volunteer_members"),
        (["家庭"], "小时", "family_volunteer_hours"),
        (["便民设施"], "项", "smile_kiosk_facilities"),
        (["全年", "微笑亭"], "个", "smile_kiosks_year_round"),
        (["微笑亭"], "个", "smile_kiosks"),
        (["读书加油站"], "个", "reading_stations"),
        (["书"], "册", "books_donated"),
        (["公益组织"], "家", "welfare_fair_organizations"),
        (["峰会"], "小时", "summit_volunteer_hours"),
        (["峰会", "志愿者"], "名", "summit_volunteers"),
        (["嘉宾"], "人次", "guests_served"),
        (["中央电视台"], "次", "summit_cctv_reports"),
        (["报道"], "篇", "media_reports"),
        (["救援"], "名", "rescue_volunteers"),
        (["文明家庭"], "户", "civilized_families"),
        (["文化礼堂"], "个", "cultural_halls"),
        (["服务站"], "个", "service_stations"),
        (["项目"], "个", "projects_launched"),
        (["队伍"], "支", "volunteer_teams"),
        (["活动"], "场", "activities_held"),
        (["善款"], "元", "funds_raised"),
        (["志愿者"], "名", "registered_volunteers"),
        (["志愿服务"], "小时", "volunteer_hours"),
    ]

    /// The last entries of the vocabulary are generic measures, used only when no specific one fits.
    static let genericEntries = 2

    static func extract(from paragraphs: [String], vocabulary extra: [(keywords: [String], unit: String?, key: String)],
                        bulletinYear: Int?, knownDistricts: [String] = []) -> Facts {
        var facts = Facts()
        var keys = StatKeys()
        for paragraph in paragraphs {
            for sentence in paragraph.split(whereSeparator: { "。！？".contains($0) }).map(String.init) {
                for match in sentence.matches(of: /([0-9]+(?:,[0-9]{3})*(?:\.[0-9]+)?)(万|亿)?(余|多)?(人次|小时|万元|户|名|个|篇|册|次|项|家|支|场|元|所|座|处|件|人|期|批)/) {
                    let number = String(match.1), magnitude = match.2.map(String.init) ?? "", approximate = match.3.map(String.init)
                    let unit = String(match.4)
                    let after = sentence[match.range.upperBound...]
                    if after.first.map({ "年月日号".contains($0) }) == true || after.hasPrefix("百分点")
                        || unit == "个" && ["月", "工作日", "季度", "年度", "星期", "小时"].contains(where: { after.hasPrefix($0) }) {
                        continue
                    }
                    if number.contains("."), magnitude.isEmpty, !["小时", "万元", "元"].contains(unit) { continue }
                    let label = label(in: sentence, around: match.range)
                    let clause = clause(in: sentence, around: match.range)
                    let (key, isGenerated) = keys.assign(vocabularyKey(unit: unit, contexts: [clause, sentence], extra: extra))
                    let note = approximate.map { "the text says \(number)\(magnitude)\($0)\(unit) (more than \(number)\(magnitude))" }
                    facts.stats.append(FoundStat(key: key, keyIsGenerated: isGenerated, label: label,
                                                 value: number.replacingOccurrences(of: ",", with: "") + magnitude, unit: unit, note: note))
                }
                facts.exemplars += exemplars(in: sentence, bulletinYear: bulletinYear, knownDistricts: knownDistricts)
                for district in districtNames(in: sentence, known: knownDistricts) where !facts.districts.contains(district) { facts.districts.append(district) }
            }
        }
        return facts
    }

    /// Stats from the rows of a printed stats table (`数据一览` of a print edition: label, value with its unit,
    /// optionally the date it holds at), keys from the vocabulary where the label has its words.
    static func printedStats(_ rows: [[String]], vocabulary extra: [(keywords: [String], unit: String?, key: String)]) -> [FoundStat] {
        var stats: [FoundStat] = []
        var keys = StatKeys()
        for row in rows.dropFirst() where row.count >= 2 {
            let figure = row.dropFirst().joined()
            guard let match = figure.firstMatch(of: /^([0-9][0-9,]*(?:\.[0-9]+)?(?:万|亿)?)([^0-9]{1,4}?)([0-9]{4}年[0-9]{1,2}月[0-9]{1,2}日)?$/) else { continue }
            let unit = String(match.2)
            let (name, generated) = keys.assign(vocabularyKey(unit: unit, contexts: [row[0]], extra: extra))
            var stat = FoundStat(key: name, keyIsGenerated: generated, label: row[0], value: match.1.replacingOccurrences(of: ",", with: ""),
                                 unit: unit)
            if let asOf = match.3, let (date, _) = DateText.find(in: String(asOf)) { stat.asOf = date.iso }
            stats.append(stat)
        }
        return stats
    }

    /// The vocabulary's key for a figure in `unit`: the site's and the specific measures first, tried on each
    /// context in turn (the narrowest first), then the generic ones.
    static func vocabularyKey(unit: String, contexts: [String], extra: [(keywords: [String], unit: String?, key: String)]) -> String? {
        for entries in [extra + vocabulary.dropLast(genericEntries), Array(vocabulary.suffix(genericEntries))] {
            for context in contexts {
                let found = entries.first { entry in
                    (entry.unit == nil || entry.unit == unit) && entry.keywords.allSatisfy { context.contains($0) }
                }
                if let found { return found.key }
            }
        }
        return nil
    }

    /// Keys given to a bulletin's stats: a vocabulary key once, otherwise `imported_stat_N`.
    struct StatKeys {
        private var used: Set<String> = []
        private var generated = 0

        mutating func assign(_ found: String?) -> (key: String, generated: Bool) {
            if let found, !used.contains(found) {
                used.insert(found)
                return (found, false)
            }
            generated += 1
            let key = "imported_stat_\(generated)"
            used.insert(key)
            return (key, true)
        }
    }

    /// The clause (between commas or semicolons) holding a figure.
    static func clause(in sentence: String, around range: Range<String.Index>) -> String {
        let delimiters: Set<Character> = ["，", "；", "："]
        var start = range.lowerBound
        while start > sentence.startIndex, !delimiters.contains(sentence[sentence.index(before: start)]) { start = sentence.index(before: start) }
        var end = range.upperBound
        while end < sentence.endIndex, !delimiters.contains(sentence[end]) { end = sentence.index(after: end) }
        return String(sentence[start..<end])
    }

    /// The words naming a figure: the clause before it (without connectives) and the noun after its unit.
    static func label(in sentence: String, around range: Range<String.Index>) -> String {
        let delimiters: Set<Character> = ["，", "；", "：", "、"]
        var start = range.lowerBound
        while start > sentence.startIndex, !delimiters.contains(sentence[sentence.index(before: start)]) { start = sentence.index(before: start) }
        var prefix = String(sentence[start..<range.lowerBound])
        var stripped = true
        while stripped {
            stripped = false
            for filler in ["截止去年", "全市已有", "已有", "共有", "累计", "拥有", "遍布", "其中", "目前", "共", "约", "仅"] where prefix.hasPrefix(filler) {
                prefix = String(prefix.dropFirst(filler.count))
                stripped = true
            }
        }
        for filler in ["达", "有"] where prefix.hasSuffix(filler) { prefix = String(prefix.dropLast()) }
        var noun = ""
        var cursor = range.upperBound
        if cursor < sentence.endIndex && sentence[cursor] == "的" { cursor = sentence.index(after: cursor) }
        while cursor < sentence.endIndex, !delimiters.contains(sentence[cursor]), noun.count < 10 {
            noun.append(sentence[cursor])
            cursor = sentence.index(after: cursor)
        }
        for stop in ["注册", "进行", "提供", "的", "礼貌", "经过"] {
            if let cut = noun.range(of: stop) { noun = String(noun[..<cut.lowerBound]) }
        }
        if noun.isEmpty {
            var end = range.upperBound
            while end < sentence.endIndex, !delimiters.contains(sentence[end]) { end = sentence.index(after: end) }
            let rest = sentence[range.upperBound..<end]
            if let of = rest.lastIndex(of: "的") { noun = String(rest[rest.index(after: of)...].prefix(6)) }
        }
        let label = (prefix + noun).trimmingSpaces()
        return label.isEmpty ? String(sentence[start..<range.lowerBound]).trimmingSpaces() : label
    }

    /// Honours in the usual phrasings: `X、Y被评为Z`, `X被中宣部评为“Z”`, `X荣获Z称号`.
    static func exemplars(in sentence: String, bulletinYear: Int?, knownDistricts: [String] = []) -> [FoundExemplar] {
        var program: String?, year: Int?
        if let match = sentence.firstMatch(of: /在([0-9]{4})年(.+?)活动中/) {
            year = Int(match.1)
            program = String(match.2)
        }
        var found: [FoundExemplar] = []
        for clause in sentence.split(separator: "，").map(String.init) {
            var subjects: String, honor: String, conferredBy: String?
            if let match = clause.firstMatch(of: /^(.+?)被(.{0,12}?)评为(.+)$/) {
                subjects = String(match.1)
                conferredBy = match.2.isEmpty ? nil : String(match.2)
                honor = String(match.3)
            } else if let match = clause.firstMatch(of: /^(.+?)(?:荣获|获得|获)(.+?)称号/) {
                subjects = String(match.1)
                honor = String(match.2)
            } else {
                continue
            }
            honor = honor.trimmingCharacters(in: "“”\"「」")
            for subject in subjects.split(separator: "、").map(String.init) {
                let (name, kind, uncertain) = classify(subject)
                guard !name.isEmpty else { continue }
                found.append(FoundExemplar(name: name, kind: kind, kindUncertain: uncertain, honor: honor, program: program,
                                           conferredBy: conferredBy, year: year, district: districtNames(in: name, known: knownDistricts).first))
            }
        }
        return found
    }

    /// The exemplar's name and kind from a subject phrase (`西湖微笑亭志愿者施志平` → person 施志平).
    static func classify(_ subject: String) -> (name: String, kind: Exemplar.Kind, uncertain: Bool) {
        let name = subject.trimmingSpaces()
        if name.hasSuffix("社区") || name.hasSuffix("村") { return (name, .community, false) }
        if name.hasSuffix("项目") || name.hasSuffix("行动") || name.hasSuffix("工程") { return (name, .project, false) }
        for suffix in ["总队", "大队", "服务队", "队", "会", "协会", "中心", "站", "组织", "联盟", "办", "局", "委", "公司", "学校", "医院", "单位"]
        where name.hasSuffix(suffix) {
            return (name, .organization, false)
        }
        if let match = name.firstMatch(of: /(?:志愿者|同志|标兵|模范)([\p{Han}]{2,4})$/) { return (String(match.1), .person, false) }
        if (2...4).contains(name.count), name.allSatisfy({ Punctuation.isChinese($0) }) { return (name, .person, true) }
        return (name, .organization, true)
    }

    /// Places named in the text: county-level names of the gazetteer (`西湖区`, `桐庐县`, `建德市`) and the districts
    /// the site's bulletins already use; never a word such as 社区, 建成区 or the `区` of `市、区`.
    static func districtNames(in text: String, known: [String] = []) -> [String] {
        var names: [(String.Index, String)] = []
        for name in known where !name.isEmpty {
            if let range = text.range(of: name) { names.append((range.lowerBound, name)) }
        }
        var index = text.startIndex
        while index < text.endIndex {
            if "区县市旗".contains(text[index]) {
                let end = text.index(after: index)
                var start = index
                var found: (String.Index, String)?
                for _ in 1...7 {
                    guard start > text.startIndex else { break }
                    start = text.index(before: start)
                    let candidate = String(text[start..<end])
                    if CountyNames.all.contains(candidate) { found = (start, candidate) }
                }
                if let found, !names.contains(where: { $0.1 == found.1 || $0.1.hasSuffix(found.1) }) { names.append(found) }
            }
            index = text.index(after: index)
        }
        return names.sorted { $0.0 < $1.0 }.map(\.1)
    }
}

/// The 版记 lines: 报：…, 送：…, 发：…
struct Distribution {
    var reportTo: [String] = []
    var sendTo: [String] = []
    var issueTo: [String] = []

    var isEmpty: Bool { reportTo.isEmpty && sendTo.isEmpty && issueTo.isEmpty }

    static func parse(_ lines: [String]) -> Distribution {
        var distribution = Distribution()
        for line in lines {
            guard let match = line.firstMatch(of: /^(报|送|发|抄送|抄报|分送)\s*[：:]\s*(.+)$/) else { continue }
            var text = String(match.2)
            if let cut = text.range(of: "共印") { text = String(text[..<cut.lowerBound]) }
            text = text.trimmingCharacters(in: "。. ")
            let items = text.split(whereSeparator: { "，,；;".contains($0) }).flatMap { $0.split(separator: "  ") }
                .map { String($0).trimmingSpaces() }.filter { !$0.isEmpty }
            switch match.1 {
            case "报", "抄报": distribution.reportTo += items
            case "送", "抄送", "分送": distribution.sendTo += items
            default: distribution.issueTo += items
            }
        }
        return distribution
    }
}

extension String {
    func trimmingCharacters(in characters: String) -> String {
        var result = Substring(self)
        while let first = result.first, characters.contains(first) { result = result.dropFirst() }
        while let last = result.last, characters.contains(last) { result = result.dropLast() }
        return String(result)
    }
}
