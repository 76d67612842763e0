import BulletinModel
import Foundation
import Yams

/// Decodes `content/site.yaml`; every key is optional.
public enum SiteConfigDecoder {
    static let knownKeys = [
        "title", "base_url", "language", "time_zone", "series", "publishers", "text_width", "page_size",
        "unsafe_html", "stat_conflicts", "import_vocabulary", "max_file_size",
    ]

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
        config.series = reader.text(fields["series"], field: "series")
        config.publishers = reader.textList(fields["publishers"], field: "publishers")
        if let width = reader.integer(fields["text_width"], field: "text_width", minimum: 20,
                                      meaning: "display columns of the plain-text edition") {
            config.textWidth = width
        }
        if let size = reader.integer(fields["page_size"], field: "page_size", minimum: 1, meaning: "entries per page") {
            config.pageSize = size
        }
        if let unsafe = reader.bool(fields["unsafe_html"], field: "unsafe_html") { config.unsafeHTML = unsafe }
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

    /// An absolute http(s) URL with a trailing slash, or nil when `text` is not one.
    public static func normalizedBaseURL(_ text: String) -> String? {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
              url.host != nil else { return nil }
        return text.hasSuffix("/") ? text : text + "/"
    }
}
