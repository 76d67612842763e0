import BulletinModel

/// Template contexts built from domain values. Contexts are dictionaries (swift-mustache reads them several
/// times faster than structs, which it can only read through Mirror); every value a template shows is
/// formatted here, so templates hold no logic beyond sections.
///
/// Links are site-relative paths (`bulletins/2017/305/`) that templates prefix with `{{root}}`, the way back
/// to the site root from the page being rendered, so the output works at any base path and from disk.
public enum ViewModel {
    /// `{iso, chinese, year, month, day}` for a date.
    public static func date(_ date: CalendarDate) -> [String: Any] {
        ["iso": date.iso, "chinese": date.chinese, "year": date.year, "month": date.month, "day": date.day]
    }

    /// The formats of a number: `display` as written (`19.4万`, `27,093`), `grouped`, `plain`, `magnitude`.
    public static func quantity(_ value: Quantity) -> [String: Any] {
        ["display": value.display, "grouped": value.grouped, "plain": value.plain, "magnitude": value.chineseMagnitude()]
    }

    /// A bulletin as a list entry (home, archives): title, link, issue label, date, summary.
    public static func entry(_ bulletin: Bulletin, path: String, summary: String) -> [String: Any] {
        [
            "title": bulletin.title,
            "path": path,
            "series": bulletin.series,
            "seriesLines": bulletin.series.split(separator: "·").map(String.init),
            "issueLabel": bulletin.issueLabel,
            "date": date(bulletin.date),
            "summary": summary,
        ]
    }

    /// Everything a bulletin page shows; `links` gives the pages of its terms, exemplars and stats.
    public static func bulletin(
        _ bulletin: Bulletin, path: String, summary: String, bodyHTML: String, headings: [(level: Int, text: String, id: String)],
        links: Links
    ) -> [String: Any] {
        var context = entry(bulletin, path: path, summary: summary)
        context["issue"] = bulletin.issue
        if let serial = bulletin.serial { context["serial"] = serial }
        context["publishers"] = bulletin.publishers
        context["tags"] = bulletin.tags.map { ["name": $0, "path": links.term("tags", $0)] }
        context["districts"] = bulletin.districts.map { ["name": $0, "path": links.term("districts", $0)] }
        context["hasTerms"] = !bulletin.tags.isEmpty || !bulletin.districts.isEmpty
        context["bodyHTML"] = bodyHTML
        context["headings"] = headings.map { ["level": $0.level, "text": $0.text, "id": $0.id] as [String: Any] }
        context["stats"] = bulletin.stats.map { stat($0, path: links.stat($0.key)) }
        context["hasStats"] = !bulletin.stats.isEmpty
        context["exemplarGroups"] = exemplarGroups(bulletin.exemplars, links: links)
        context["hasExemplars"] = !bulletin.exemplars.isEmpty
        if !bulletin.distribution.isEmpty { context["distribution"] = distribution(bulletin.distribution) }
        return context
    }

    /// Where the pages a bulletin links to are (site-relative, percent-encoded paths).
    public struct Links {
        /// The page of a term of a taxonomy (`tags`, `districts`).
        public var term: (_ field: String, _ name: String) -> String
        public var exemplar: (Exemplar) -> String
        /// The page of a stat key.
        public var stat: (String) -> String

        public init(term: @escaping (String, String) -> String, exemplar: @escaping (Exemplar) -> String,
                    stat: @escaping (String) -> String) {
            self.term = term
            self.exemplar = exemplar
            self.stat = stat
        }
    }

    /// A stat entry: `key`, `label`, `value` (formats), `unit`, `asOf`, `scope` and the `path` of its key's page.
    public static func stat(_ stat: Stat, path: String) -> [String: Any] {
        var context: [String: Any] = [
            "key": stat.key, "label": stat.label, "value": quantity(stat.value), "unit": stat.unit, "path": path,
        ]
        if let asOf = stat.asOf { context["asOf"] = date(asOf) }
        if let scope = stat.scope { context["scope"] = scope }
        return context
    }

    /// Exemplars grouped by kind in the contract's order (组织, 项目, 社区, 个人), each group in source order.
    static func exemplarGroups(_ exemplars: [Exemplar], links: Links) -> [[String: Any]] {
        Exemplar.Kind.allCases.compactMap { kind in
            let members = exemplars.filter { $0.kind == kind }
            guard !members.isEmpty else { return nil }
            return ["kind": kind.rawValue, "label": kind.label,
                    "exemplars": members.map { exemplar($0).merging(["path": links.exemplar($0)]) { $1 } }]
        }
    }

    /// An exemplar: `name`, `kind`, `honor`, `program`, `conferredBy`, `year`, `district`, and `details` joining
    /// the optional ones.
    public static func exemplar(_ exemplar: Exemplar) -> [String: Any] {
        var context: [String: Any] = ["name": exemplar.name, "kind": exemplar.kind.rawValue, "honor": exemplar.honor]
        var details: [String] = []
        if let program = exemplar.program { context["program"] = program; details.append(program) }
        if let conferredBy = exemplar.conferredBy { context["conferredBy"] = conferredBy; details.append(conferredBy) }
        if let year = exemplar.year { context["year"] = year; details.append("\(year)年") }
        if let district = exemplar.district { context["district"] = district; details.append(district) }
        if !details.isEmpty { context["details"] = details.joined(separator: "，") }
        return context
    }

    /// The 版记 lines: `报：…`, `送：…`, `发：…`, recipients joined with `，`.
    static func distribution(_ distribution: Distribution) -> [String: Any] {
        let lines = [("报", distribution.reportTo), ("送", distribution.sendTo), ("发", distribution.issueTo)]
            .filter { !$0.1.isEmpty }
            .map { ["label": $0.0, "recipients": $0.1.joined(separator: "，")] }
        return ["lines": lines]
    }
}
