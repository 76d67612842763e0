import BulletinModel
import Foundation
import Yams

/// Decodes `content/site.yaml`; every key is optional.
public enum SiteConfigDecoder {
    static let knownKeys = [
        "title", "base_url", "language", "time_zone", "series", "publishers", "text_width", "page_size",
        "unsafe_html", "stat_conflicts", "import_vocabulary", "max_file_size", "permalink", "pdf",
    ]
    static let seriesKeys = ["name", "slug", "publishers"]
    static let permalinkFields = ["{series}", "{year}", "{issue}", "{serial}"]

    /// The configuration, with defaults for what the file leaves out, and any problems found.
    public static func decode(_ source: SourceText) -> (config: SiteConfig, diagnostics: [Diagnostic]) {
        var config = SiteConfig()
        let document = YAMLDocument(source: source, firstLine: 1)
        let (parsed, lint) = document.parse(source.text)
        guard let root = parsed else { return (config, lint) }
        var reader = NodeReader(document: document)
        reader.diagnostics = lint
        if reader.isNull(root) { return (config, lint) }
        guard let fields = reader.fields(of: root, in: "site.yaml", known: knownKeys) else {
            return (config, reader.diagnostics)
        }
        if let title = reader.text(fields["title"], field: "title") { config.title = title }
        if let url = reader.text(fields["base_url"], field: "base_url") {
            if let normalized = normalizedBaseURL(url) {
                config.baseURL = normalized
            } else {
                reader.error("'base_url' must be an absolute http(s) URL such as https://example.org/bulletins/, found '\(url)'",
                             at: fields["base_url"])
            }
        }
        if let language = reader.text(fields["language"], field: "language") { config.language = language }
        if let zone = reader.text(fields["time_zone"], field: "time_zone") {
            if TimeZone(identifier: zone) == nil {
                reader.error("'time_zone' must be an IANA time zone such as Asia/Shanghai, found '\(zone)'", at: fields["time_zone"])
            } else {
                config.timeZone = zone
            }
        }
        if case .sequence(let entries) = fields["series"] {
            config.seriesList = seriesList(Array(entries), reader: &reader)
            if config.seriesList.count == 1 { config.series = config.seriesList[0].name }
        } else {
            config.series = reader.text(fields["series"], field: "series")
        }
        if let pattern = reader.text(fields["permalink"], field: "permalink") {
            if let problem = permalinkProblem(pattern, severalSeries: config.seriesList.count > 1) {
                reader.error(problem, at: fields["permalink"])
            } else {
                config.permalink = String(pattern.dropFirst())
            }
        }
        config.publishers = reader.textList(fields["publishers"], field: "publishers")
        if let width = reader.integer(fields["text_width"], field: "text_width", minimum: 20,
                                      meaning: "display columns of the plain-text edition") {
            config.textWidth = width
        }
        if let size = reader.integer(fields["page_size"], field: "page_size", minimum: 1, meaning: "entries per page") {
            config.pageSize = size
        }
        if let unsafe = reader.bool(fields["unsafe_html"], field: "unsafe_html") { config.unsafeHTML = unsafe }
        if let pdf = reader.bool(fields["pdf"], field: "pdf") { config.pdf = pdf }
        if let size = reader.integer(fields["max_file_size"], field: "max_file_size", minimum: 1024,
                                     meaning: "the largest bulletin file in bytes") {
            config.maxFileSize = size
        }
        if let severity = reader.text(fields["stat_conflicts"], field: "stat_conflicts") {
            if let parsed = Diagnostic.Severity(rawValue: severity) {
                config.statConflicts = parsed
            } else {
                reader.error("'stat_conflicts' must be error or warning, found '\(severity)'", at: fields["stat_conflicts"])
            }
        }
        for entry in reader.list(fields["import_vocabulary"], field: "import_vocabulary") {
            guard let entryFields = reader.fields(of: entry, in: "an import_vocabulary entry", known: ["key", "keywords", "unit"]) else { continue }
            let keywords = reader.textList(entryFields["keywords"], field: "keywords")
            guard let key = reader.text(entryFields["key"], field: "key"), !keywords.isEmpty,
                  key.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }) else {
                reader.error("an import_vocabulary entry needs 'key' (a-z, 0-9 and _) and 'keywords'", at: entry)
                continue
            }
            config.importVocabulary.append(ImportVocabularyEntry(
                keywords: keywords, unit: reader.text(entryFields["unit"], field: "unit"), key: key))
        }
        return (config, reader.diagnostics)
    }

    /// The series of a `series:` list, each with a unique name and slug.
    private static func seriesList(_ entries: [Node], reader: inout NodeReader) -> [SeriesSettings] {
        var list: [SeriesSettings] = []
        for entry in entries {
            guard let fields = reader.fields(of: entry, in: "a series entry", known: seriesKeys) else { continue }
            guard let name = reader.text(fields["name"], field: "name"), let slug = reader.text(fields["slug"], field: "slug") else {
                reader.error("a series entry needs 'name' (as bulletins write it) and 'slug' (a-z, 0-9 and -, used in page addresses)",
                             at: entry)
                continue
            }
            guard slug.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }) else {
                reader.error("series slug '\(slug)' may use only a-z, 0-9 and - (for example xxjl)", at: fields["slug"])
                continue
            }
            if let other = list.first(where: { $0.name == name || $0.slug == slug }) {
                reader.error("series '\(name)' (\(slug)) repeats the \(other.name == name ? "name" : "slug") of series '\(other.name)'",
                             at: entry)
                continue
            }
            list.append(SeriesSettings(name: name, slug: slug, publishers: reader.textList(fields["publishers"], field: "publishers")))
        }
        return list
    }

    /// What is wrong with a `permalink` pattern, or nil.
    static func permalinkProblem(_ pattern: String, severalSeries: Bool) -> String? {
        guard pattern.hasPrefix("/"), pattern.hasSuffix("/"), pattern.count > 1 else {
            return "'permalink' must start and end with '/', such as /bulletins/{year}/{serial}/, found '\(pattern)'"
        }
        var rest = pattern
        for field in permalinkFields { rest = rest.replacing(field, with: "x") }
        if let brace = rest.first(where: { $0 == "{" || $0 == "}" }) {
            return "'permalink' may use only \(permalinkFields.joined(separator: ", ")); found a stray '\(brace)' in '\(pattern)'"
        }
        if rest.split(separator: "/").contains(where: { $0 == "." || $0 == ".." }) || rest.contains("//") {
            return "'permalink' must not hold '.', '..' or empty folders, found '\(pattern)'"
        }
        guard pattern.contains("{serial}") || pattern.contains("{issue}") else {
            return "'permalink' needs {serial} or {issue}, or every bulletin would be written to the same page"
        }
        if severalSeries && !pattern.contains("{series}") {
            return "'permalink' needs {series} when site.yaml lists several series (bulletins of two series may share a serial)"
        }
        return nil
    }

    /// An absolute http(s) URL with a trailing slash, or nil when `text` is not one.
    public static func normalizedBaseURL(_ text: String) -> String? {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
              url.host != nil else { return nil }
        return text.hasSuffix("/") ? text : text + "/"
    }
}
