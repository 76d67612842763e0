import BulletinModel
import Yams

/// The front matter of a bulletin file decoded and validated, with its Markdown body.
public struct DecodedBulletin: Sendable {
    /// Nil when the front matter has errors.
    public var bulletin: Bulletin?
    public var body: String
    /// File line on which the body starts, to locate Markdown diagnostics.
    public var bodyFirstLine: Int
    public var diagnostics: [Diagnostic]
}

/// Decodes bulletin front matter per the source contract (`bulletin-format.md`).
public enum BulletinDecoder {
    static let knownKeys = [
        "title", "series", "issue", "serial", "date", "publishers", "summary", "tags", "districts", "stats",
        "exemplars", "distribution", "draft", "attachments",
    ]
    static let statKeys = ["key", "label", "value", "unit", "as_of", "scope"]
    static let exemplarKeys = ["name", "kind", "honor", "program", "conferred_by", "year", "district"]
    static let distributionKeys = ["report_to", "send_to", "issue_to"]
    static let attachmentKeys = ["file", "title"]

    /// Decodes one bulletin; `site` supplies the default series and publishers.
    public static func decode(_ source: SourceText, site: SiteConfig) -> DecodedBulletin {
        let split: SplitDocument
        switch FrontMatterSplitter.split(source) {
        case .success(let document): split = document
        case .failure(let diagnostic): return DecodedBulletin(bulletin: nil, body: "", bodyFirstLine: 1, diagnostics: [diagnostic])
        }
        var result = DecodedBulletin(bulletin: nil, body: split.body, bodyFirstLine: split.bodyFirstLine, diagnostics: [])
        let document = YAMLDocument(source: source, firstLine: split.yamlFirstLine)
        let (parsed, lint) = document.parse(split.yaml)
        guard let root = parsed else {
            result.diagnostics = lint
            return result
        }
        var reader = NodeReader(document: document)
        result.bulletin = bulletin(from: root, reader: &reader, source: source, site: site)
        result.diagnostics = lint + reader.diagnostics
        if result.diagnostics.hasErrors { result.bulletin = nil }
        return result
    }

    private static func bulletin(from root: Node, reader: inout NodeReader, source: SourceText, site: SiteConfig) -> Bulletin? {
        guard let fields = reader.fields(of: root, in: "the front matter", known: knownKeys) else { return nil }
        let start = source.diagnostic(.error, "", line: 1, column: 1)
        func missing(_ field: String, _ meaning: String) {
            var diagnostic = start
            diagnostic.message = "missing required field '\(field)' (\(meaning))"
            reader.diagnostics.append(diagnostic)
        }
        let title = reader.text(fields["title"], field: "title")
        if title == nil && reader.isNull(fields["title"]) { missing("title", "the headline of the lead article") }
        var series = reader.text(fields["series"], field: "series")
        if series == nil && reader.isNull(fields["series"]) {
            series = site.series
            if series == nil { missing("series", "the bulletin's name; or set a default 'series' in content/site.yaml") }
        }
        let issue = reader.integer(fields["issue"], field: "issue", minimum: 1, meaning: "第 N 期, counted from 1 each year")
        if fields["issue"] == nil || reader.isNull(fields["issue"]) { missing("issue", "第 N 期, the number within the year") }
        let serial = reader.integer(fields["serial"], field: "serial", minimum: 1, meaning: "总第 N 期")
        let date = reader.date(fields["date"], field: "date")
        if reader.isNull(fields["date"]) { missing("date", "the issue date, written YYYY-MM-DD") }
        if let name = series, !site.seriesList.isEmpty, site.seriesSettings(name) == nil {
            let names = site.seriesList.map(\.name)
            let closest = names.min { Suggestion.distance(Array(name), Array($0)) < Suggestion.distance(Array(name), Array($1)) }!
            reader.error("series '\(name)' is not one of the series in content/site.yaml (\(names.joined(separator: "、"))); "
                         + "did you mean '\(closest)'?", at: fields["series"])
        }
        var publishers = reader.textList(fields["publishers"], field: "publishers")
        if publishers.isEmpty && reader.isNull(fields["publishers"]) {
            publishers = series.flatMap(site.seriesSettings)?.publishers ?? []
            if publishers.isEmpty { publishers = site.publishers }
            if publishers.isEmpty {
                missing("publishers", "the issuing offices; or set default 'publishers' in content/site.yaml")
            }
        }
        let summary = reader.text(fields["summary"], field: "summary")
        let tags = reader.textList(fields["tags"], field: "tags")
        let districts = reader.textList(fields["districts"], field: "districts")
        let stats = reader.list(fields["stats"], field: "stats").compactMap { stat(from: $0, reader: &reader) }
        let exemplars = reader.list(fields["exemplars"], field: "exemplars").compactMap { exemplar(from: $0, reader: &reader) }
        let distribution = distribution(from: fields["distribution"], reader: &reader)
        let draft = reader.bool(fields["draft"], field: "draft") ?? false
        let attachments = reader.list(fields["attachments"], field: "attachments").compactMap { attachment(from: $0, reader: &reader) }

        guard let title, let series, let issue, let date, !publishers.isEmpty else { return nil }
        var origins: [String: Origin] = [:]
        for case let (.scalar(key), value) in root.mapping ?? [:] { origins[key.string] = reader.origin(of: value) }
        return Bulletin(
            sourcePath: source.path, title: title, series: series, issue: issue, serial: serial, date: date,
            publishers: publishers, summary: summary, tags: tags, districts: districts, stats: stats,
            exemplars: exemplars, distribution: distribution, draft: draft, attachments: attachments, origins: origins
        )
    }

    private static func stat(from node: Node, reader: inout NodeReader) -> Stat? {
        guard let fields = reader.fields(of: node, in: "a stats entry", known: statKeys) else { return nil }
        let key = reader.text(fields["key"], field: "key")
        if let key, !key.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }) {
            reader.error("stat key '\(key)' may use only a-z, 0-9 and _ (for example family_volunteer_households)",
                         at: fields["key"])
            return nil
        }
        let label = reader.text(fields["label"], field: "label")
        let value = reader.quantity(fields["value"], field: "value")
        let unit = reader.text(fields["unit"], field: "unit")
        let asOf = reader.date(fields["as_of"], field: "as_of")
        let scope = reader.text(fields["scope"], field: "scope")
        for (name, present) in [("key", key != nil), ("label", label != nil), ("value", value != nil), ("unit", unit != nil)]
        where !present && reader.isNull(fields[name]) {
            reader.error("a stats entry needs '\(name)' (each entry has key, label, value and unit)", at: node)
        }
        guard let key, let label, let value, let unit else { return nil }
        return Stat(key: key, label: label, value: value, unit: unit, asOf: asOf, scope: scope, origin: reader.origin(of: node))
    }

    private static func exemplar(from node: Node, reader: inout NodeReader) -> Exemplar? {
        guard let fields = reader.fields(of: node, in: "an exemplars entry", known: exemplarKeys) else { return nil }
        let name = reader.text(fields["name"], field: "name")
        let kindText = reader.text(fields["kind"], field: "kind")
        var kind: Exemplar.Kind?
        if let kindText {
            kind = Exemplar.Kind(rawValue: kindText)
            if kind == nil {
                let allowed = Exemplar.Kind.allCases.map { "\($0.rawValue) (\($0.label))" }.joined(separator: ", ")
                reader.error("exemplar kind '\(kindText)' is not one of \(allowed)", at: fields["kind"])
            }
        }
        let honor = reader.text(fields["honor"], field: "honor")
        let program = reader.text(fields["program"], field: "program")
        let conferredBy = reader.text(fields["conferred_by"], field: "conferred_by")
        let year = reader.integer(fields["year"], field: "year", minimum: 1, meaning: "the year of the honor")
        let district = reader.text(fields["district"], field: "district")
        for (name, present) in [("name", name != nil), ("kind", kindText != nil), ("honor", honor != nil)]
        where !present && reader.isNull(fields[name]) {
            reader.error("an exemplars entry needs '\(name)' (each entry has name, kind and honor)", at: node)
        }
        guard let name, let kind, let honor else { return nil }
        return Exemplar(name: name, kind: kind, honor: honor, program: program, conferredBy: conferredBy,
                        year: year, district: district, origin: reader.origin(of: fields["name"] ?? node))
    }

    private static func attachment(from node: Node, reader: inout NodeReader) -> Attachment? {
        guard let fields = reader.fields(of: node, in: "an attachments entry", known: attachmentKeys) else { return nil }
        let file = reader.text(fields["file"], field: "file")
        let title = reader.text(fields["title"], field: "title")
        for (name, present) in [("file", file != nil), ("title", title != nil)] where !present && reader.isNull(fields[name]) {
            reader.error("an attachments entry needs '\(name)' (each entry has file, the path beside the bulletin, and title)", at: node)
        }
        guard let file, let title else { return nil }
        return Attachment(file: file, title: title, origin: reader.origin(of: fields["file"] ?? node))
    }

    private static func distribution(from node: Node?, reader: inout NodeReader) -> Distribution {
        guard let node, !reader.isNull(node),
              let fields = reader.fields(of: node, in: "distribution", known: distributionKeys) else { return Distribution() }
        return Distribution(
            reportTo: reader.textList(fields["report_to"], field: "report_to"),
            sendTo: reader.textList(fields["send_to"], field: "send_to"),
            issueTo: reader.textList(fields["issue_to"], field: "issue_to"))
    }
}
