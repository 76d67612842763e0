import BulletinModel
import Foundation

/// What an import found in one file, and what it could not be sure of.
public struct ImportReport: Sendable {
    public var source: String
    public var encoding: String
    public var found: [String] = []
    public var missing: [String] = []
    public var stats = 0
    public var exemplars = 0
    public var warnings: [String] = []

    /// The report as lines for the terminal.
    public var lines: [String] {
        var lines = ["\(source) (\(encoding)):"]
        lines.append("  found: " + (found.isEmpty ? "nothing" : found.joined(separator: ", ")))
        if !missing.isEmpty { lines.append("  missing: " + missing.joined(separator: ", ")) }
        lines.append("  stats: \(stats), exemplars: \(exemplars)")
        lines += warnings.map { "  check: \($0)" }
        return lines
    }
}

/// A bulletin recovered from extracted text.
public struct ImportedBulletin: Sendable {
    public var markdown: String
    /// Where it goes below the import folder: `<year>/<serial or issue>.md`, `undated/<name>.md` without a date.
    public var relativePath: String
    public var report: ImportReport
}

/// Options of an import.
public struct ImportOptions: Sendable {
    /// Used when the text names no series.
    public var series: String?
    /// Keep ASCII punctuation inside Chinese text as it is.
    public var keepPunctuation: Bool
    /// Extra stat vocabulary: keywords of a label → key.
    public var vocabulary: [(keywords: [String], unit: String?, key: String)]

    public init(series: String? = nil, keepPunctuation: Bool = false, vocabulary: [(keywords: [String], unit: String?, key: String)] = []) {
        self.series = series
        self.keepPunctuation = keepPunctuation
        self.vocabulary = vocabulary
    }
}

/// Turns text extracted from PDF or Word bulletins into a bulletin file: masthead into front matter, the body
/// re-joined into paragraphs with sections as headings, figures into stats, honours into exemplars, the 版记
/// into distribution. Uncertain inferences are written as `# import: check — …` comments and reported.
public enum Importer {
    public static func importText(_ raw: String, sourceName: String, encoding: String, options: ImportOptions) -> ImportedBulletin {
        var report = ImportReport(source: sourceName, encoding: encoding)
        let cleaned = ExtractedLines.clean(raw, keepPunctuation: options.keepPunctuation)
        var masthead = Masthead.parse(cleaned.lines)
        if masthead.series == nil, let series = options.series {
            masthead.series = series
            report.warnings.append("series taken from --series: \(series)")
        }
        let body = BodyReflow.reflow(Array(cleaned.lines[masthead.bodyStart...]), distributionStart: cleaned.distributionStart.map { $0 - masthead.bodyStart })
        let facts = Facts.extract(from: body.paragraphs.map(\.text), vocabulary: options.vocabulary, bulletinYear: masthead.date?.year)
        let distribution = Distribution.parse(cleaned.distributionLines)

        var yaml: [String] = []
        func field(_ name: String, _ value: String?, comment: String? = nil, plain: Bool = false) {
            guard let value else {
                report.missing.append(name)
                return
            }
            report.found.append(name)
            yaml.append("\(name): \(plain ? value : YAMLText.quote(value))" + (comment.map { "   # import: check — \($0)" } ?? ""))
        }
        field("title", body.title)
        field("series", masthead.series, comment: masthead.seriesUncertain ? "joined from the masthead lines" : nil)
        field("issue", masthead.issue.map(String.init), comment: masthead.supplement ? "增刊 (supplement)" : nil, plain: true)
        field("serial", masthead.serial.map(String.init), plain: true)
        field("date", masthead.date?.iso, plain: true)
        if masthead.publishers.isEmpty {
            report.missing.append("publishers")
        } else {
            report.found.append("publishers")
            yaml.append("publishers:")
            yaml += masthead.publishers.map { "  - \(YAMLText.quote($0))" }
        }
        if !facts.districts.isEmpty { yaml.append("districts: [\(facts.districts.map(YAMLText.quote).joined(separator: ", "))]") }
        if !facts.stats.isEmpty {
            yaml.append("stats:")
            for stat in facts.stats {
                yaml.append("  - key: \(stat.key)" + (stat.keyIsGenerated ? "   # import: check — generated key, rename it to a known measure" : ""))
                yaml.append("    label: \(YAMLText.quote(stat.label))   # import: check — label taken from the words around the figure")
                yaml.append("    value: \(stat.value)" + (stat.note.map { "   # import: check — \($0)" } ?? ""))
                yaml.append("    unit: \(YAMLText.quote(stat.unit))")
                if let scope = stat.scope { yaml.append("    scope: \(YAMLText.quote(scope))") }
            }
        }
        if !facts.exemplars.isEmpty {
            yaml.append("exemplars:")
            for exemplar in facts.exemplars {
                yaml.append("  - name: \(YAMLText.quote(exemplar.name))")
                yaml.append("    kind: \(exemplar.kind.rawValue)" + (exemplar.kindUncertain ? "   # import: check — kind guessed from the name" : ""))
                yaml.append("    honor: \(YAMLText.quote(exemplar.honor))")
                if let program = exemplar.program { yaml.append("    program: \(YAMLText.quote(program))") }
                if let by = exemplar.conferredBy { yaml.append("    conferred_by: \(YAMLText.quote(by))") }
                if let year = exemplar.year { yaml.append("    year: \(year)") }
                if let district = exemplar.district { yaml.append("    district: \(YAMLText.quote(district))") }
            }
        }
        if !distribution.isEmpty {
            yaml.append("distribution:")
            for (key, items) in [("report_to", distribution.reportTo), ("send_to", distribution.sendTo), ("issue_to", distribution.issueTo)]
            where !items.isEmpty {
                yaml.append("  \(key): [\(items.map(YAMLText.quote).joined(separator: ", "))]")
            }
            if let copies = cleaned.copies { yaml.append("# import: 版记 says 共印\(copies)份") }
        }
        report.stats = facts.stats.count
        report.exemplars = facts.exemplars.count
        report.warnings += masthead.warnings + body.warnings
        report.warnings += facts.stats.filter(\.keyIsGenerated).map { "stat '\($0.label)' (\($0.value)\($0.unit)) has a generated key \($0.key)" }
        report.warnings += facts.exemplars.filter(\.kindUncertain).map { "kind of exemplar '\($0.name)' guessed as \($0.kind.rawValue)" }

        let markdown = "---\n" + yaml.joined(separator: "\n") + "\n---\n\n" + body.markdown
        let name = masthead.serial ?? masthead.issue
        let relativePath = masthead.date.map { "\($0.year)/\(name.map(String.init) ?? sourceStem(sourceName)).md" }
            ?? "undated/\(sourceStem(sourceName)).md"
        return ImportedBulletin(markdown: markdown, relativePath: relativePath, report: report)
    }

    private static func sourceStem(_ name: String) -> String {
        let last = name.split(separator: "/").last.map(String.init) ?? name
        return last.split(separator: ".").first.map(String.init) ?? last
    }
}

/// Quoting for YAML scalars written by the importer.
enum YAMLText {
    /// The text as a YAML scalar: plain when safe, double-quoted otherwise.
    static func quote(_ text: String) -> String {
        let needsQuotes = text.isEmpty || text.contains(": ") || text.contains(" #") || text.hasPrefix(" ") || text.hasSuffix(" ")
            || "-?:,[]{}#&*!|>'\"%@`".contains(text.first!) || text.contains(",") || text.contains("[") || text.contains("]")
            || Int(text) != nil
        guard needsQuotes else { return text }
        return "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
