import BulletinModel
import Foundation

/// What an import found in one file, and what it could not be sure of.
public struct ImportReport: Sendable {
    public var source: String
    /// What the file was: `UTF-8 text`, `PDF, 3 pages`, `scanned PDF, 1 page (OCR, mean confidence 91%)`, `DOCX`.
    public var format: String
    public var found: [String] = []
    public var missing: [String] = []
    public var stats = 0
    public var exemplars = 0
    public var warnings: [String] = []

    /// The report as lines for the terminal.
    public var lines: [String] {
        var lines = ["\(source) (\(format)):"]
        lines.append("  found: " + (found.isEmpty ? "nothing" : found.joined(separator: ", ")))
        if !missing.isEmpty { lines.append("  missing: " + missing.joined(separator: ", ")) }
        lines.append("  stats: \(stats), exemplars: \(exemplars)")
        lines += warnings.map { "  check: \($0)" }
        return lines
    }
}

/// A bulletin recovered from a file.
public struct ImportedBulletin: Sendable {
    public var markdown: String
    /// Where it goes below the import folder: `<year>/<serial or issue>.md`, `undated/<name>.md` without a date.
    public var relativePath: String
    /// Pictures taken from the file, each with its path below the import folder (`<year>/<serial>/image-1.png`).
    public var files: [(path: String, bytes: [UInt8])] = []
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
    /// Districts the site's bulletins already name: places besides the gazetteer's.
    public var districts: [String]

    public init(series: String? = nil, keepPunctuation: Bool = false, vocabulary: [(keywords: [String], unit: String?, key: String)] = [],
                districts: [String] = []) {
        self.series = series
        self.keepPunctuation = keepPunctuation
        self.vocabulary = vocabulary
        self.districts = districts
    }
}

/// Turns a bulletin read from text, PDF or Word into a bulletin file: masthead (or a document's head and 落款)
/// into front matter, the body into paragraphs with sections as headings, tables as table blocks and pictures
/// beside it, figures into stats, honours into exemplars, the 版记 into distribution. Uncertain inferences are
/// written as `# import: check — …` comments and reported; a field the source does not state is left out and
/// reported as missing.
public enum Importer {
    /// A bulletin from text (extracted from a PDF, or copied from a web page).
    public static func importText(_ raw: String, sourceName: String, encoding: String, options: ImportOptions) -> ImportedBulletin {
        importDocument(.text(raw, encoding: encoding), sourceName: sourceName, options: options)
    }

    public static func importDocument(_ document: SourceDocument, sourceName: String, options: ImportOptions) -> ImportedBulletin {
        var report = ImportReport(source: sourceName, format: document.format)
        let cleaned = ExtractedLines.clean(document.lines, keepPunctuation: options.keepPunctuation)
        var masthead = Masthead.parse(cleaned.lines, hasLayout: document.hasLayout, metadataTitle: document.metadataTitle)
        if masthead.series == nil, let series = options.series {
            masthead.series = series
            report.warnings.append("series taken from --series: \(series)")
        }
        var body = BodyReflow.reflow(masthead.body, hasLayout: document.hasLayout)
        let printedStats = body.removePrintedData()
        var facts = Facts.extract(from: body.paragraphs, vocabulary: options.vocabulary, bulletinYear: masthead.date?.year,
                                  knownDistricts: options.districts)
        if !printedStats.isEmpty {
            facts.stats = Facts.printedStats(printedStats, vocabulary: options.vocabulary)
            report.warnings.append("stats taken from the print edition's 数据一览 table; its 先进典型 list left out of the body")
        }
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
        func ocrNote(_ confidence: Double?) -> String? {
            guard let confidence, confidence < BodyReflow.reviewConfidence else { return nil }
            return "OCR confidence \(Int(confidence.rounded()))%: compare with the scan"
        }
        field("title", masthead.title, comment: ocrNote(masthead.titleConfidence))
        field("series", masthead.series,
              comment: ocrNote(masthead.seriesConfidence) ?? (masthead.seriesUncertain ? "joined from the masthead lines" : nil))
        field("issue", masthead.issue.map(String.init), comment: masthead.supplement ? "增刊 (supplement)" : nil, plain: true)
        field("serial", masthead.serial.map(String.init), plain: true)
        field("date", masthead.date?.iso, comment: masthead.signature.isEmpty ? nil : "from the 落款", plain: true)
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
                if let asOf = stat.asOf { yaml.append("    as_of: \(asOf)") }
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
        }
        if let copies = cleaned.copies { yaml.append("# import: 版记 says 共印\(copies)份") }
        yaml += masthead.signature.map { "# import: 落款 — \($0)" }
        yaml += masthead.dropped.map { "# import: masthead — \($0)" }
        yaml += cleaned.imprint.map { "# import: imprint — \($0)" }
        if !cleaned.attachments.isEmpty {
            yaml += cleaned.attachments.map { "# import: 附件 — \($0)" }
            report.warnings.append("附件 listed: add the files beside the bulletin and list them under attachments:")
        }
        report.stats = facts.stats.count
        report.exemplars = facts.exemplars.count
        report.warnings += document.notes + masthead.warnings
        if body.lowConfidenceParagraphs > 0 {
            report.warnings.append("\(body.lowConfidenceParagraphs) OCR'd paragraphs below \(Int(BodyReflow.reviewConfidence))% confidence are marked for review")
        }
        report.warnings += facts.stats.filter(\.keyIsGenerated).map { "stat '\($0.label)' (\($0.value)\($0.unit)) has a generated key \($0.key)" }
        report.warnings += facts.exemplars.filter(\.kindUncertain).map { "kind of exemplar '\($0.name)' guessed as \($0.kind.rawValue)" }

        let name = masthead.serial ?? masthead.issue
        let stem = masthead.date.map { "\($0.year)/\(name.map(String.init) ?? sourceStem(sourceName))" } ?? "undated/\(sourceStem(sourceName))"
        let folderName = String(stem.split(separator: "/").last!)
        let markdown = "---\n" + yaml.joined(separator: "\n") + "\n---\n\n" + body.markdown(imageFolder: folderName)
        let files = document.images.map { (path: "\(stem)/\($0.name)", bytes: $0.bytes) }
        return ImportedBulletin(markdown: markdown, relativePath: stem + ".md", files: files, report: report)
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
