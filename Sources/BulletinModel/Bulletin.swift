import BulletinSupport
/// One bulletin as its front matter describes it, validated and typed.
public struct Bulletin: Sendable, Equatable, Codable {
    /// The source file as shown in diagnostics (relative to the site folder).
    public var sourcePath: String
    public var title: String
    public var series: String
    /// 第 N 期: number within the year of `date`.
    public var issue: Int
    /// 总第 N 期: running number within the series.
    public var serial: Int?
    public var date: CalendarDate
    public var publishers: [String]
    public var summary: String?
    public var tags: [String]
    public var districts: [String]
    public var stats: [Stat]
    public var exemplars: [Exemplar]
    public var distribution: Distribution
    public var draft: Bool
    /// 附件 in the order GB/T 9704 numbers them.
    public var attachments: [Attachment]
    /// Where each top-level field was written in `sourcePath`, by field in byte order: a line and column each.
    /// (As a `[String: Origin]` they took about 1.8 KB a bulletin.)
    private var fieldPositions: [FieldPosition]

    public init(
        sourcePath: String, title: String, series: String, issue: Int, serial: Int?, date: CalendarDate,
        publishers: [String], summary: String? = nil, tags: [String] = [], districts: [String] = [],
        stats: [Stat] = [], exemplars: [Exemplar] = [], distribution: Distribution = Distribution(),
        draft: Bool = false, attachments: [Attachment] = [], origins: [String: Origin] = [:]
    ) {
        self.sourcePath = sourcePath
        self.title = title
        self.series = series
        self.issue = issue
        self.serial = serial
        self.date = date
        self.publishers = publishers
        self.summary = summary
        self.tags = tags
        self.districts = districts
        self.stats = stats
        self.exemplars = exemplars
        self.distribution = distribution
        self.draft = draft
        self.attachments = attachments
        fieldPositions = origins.map { field, origin in
            FieldPosition(field: field, line: Int32(clamping: origin.location.line), column: Int32(clamping: origin.location.column),
                          quotesLine: origin.quotesLine)
        }.sorted { UTF8Key.precedes($0.field, $1.field) }
    }

    /// Where `field` was written, if it was.
    public func recordedOrigin(of field: String) -> Origin? {
        fieldPositions.first { $0.field == field }.map(origin)
    }

    /// Where `field` was written, else the start of the file.
    public func origin(of field: String) -> Origin {
        recordedOrigin(of: field) ?? Origin(location: SourceLocation(file: sourcePath, line: 1, column: 1), quotesLine: false)
    }

    /// Where each top-level field was written, by field in byte order.
    public var recordedOrigins: [(field: String, origin: Origin)] {
        fieldPositions.map { ($0.field, origin($0)) }
    }

    private func origin(_ position: FieldPosition) -> Origin {
        Origin(location: SourceLocation(file: sourcePath, line: Int(position.line), column: Int(position.column)),
               quotesLine: position.quotesLine)
    }

    private struct FieldPosition: Sendable, Equatable, Codable {
        var field: String
        var line: Int32
        var column: Int32
        var quotesLine: Bool
    }

    /// `第1期（总第305期）`, or `第1期` without a serial.
    public var issueLabel: String {
        serial.map { "第\(issue)期（总第\($0)期）" } ?? "第\(issue)期"
    }

    /// The number that names the bulletin's page within its year: the serial when there is one, else the issue.
    public var pageNumber: Int { serial ?? issue }
}

/// A place in a source file, for diagnostics that point back at it. The text of its line is read from the
/// file when such a diagnostic is reported (`readingSourceLines`): kept for every field, stat and exemplar of
/// every bulletin, the lines were a fifth of the memory the loaded bulletins took.
public struct Origin: Sendable, Hashable, Codable, CustomStringConvertible {
    public var location: SourceLocation
    /// Whether a diagnostic here shows its source line (not for a place that stands for a whole file).
    public var quotesLine: Bool

    public init(location: SourceLocation, quotesLine: Bool = true) {
        self.location = location
        self.quotesLine = quotesLine
    }

    public var description: String { location.description }

    /// A diagnostic pointing here.
    public func diagnostic(_ severity: Diagnostic.Severity, _ message: String) -> Diagnostic {
        Diagnostic(severity, message, at: location, sourceLineToRead: quotesLine)
    }
}

/// A measured figure reported by a bulletin.
public struct Stat: Sendable, Hashable, Codable {
    /// Identifier of the measure (`[a-z0-9_]+`); the same key means the same measure in every bulletin.
    public var key: String
    public var label: String
    public var value: Quantity
    public var unit: String
    public var asOf: CalendarDate?
    public var scope: String?
    /// Where the entry was written.
    public var origin: Origin?

    public init(key: String, label: String, value: Quantity, unit: String, asOf: CalendarDate? = nil, scope: String? = nil,
                origin: Origin? = nil) {
        self.key = key
        self.label = label
        self.value = value
        self.unit = unit
        self.asOf = asOf
        self.scope = scope
        self.origin = origin
    }
}

/// An exemplar (先进典型) named by a bulletin.
public struct Exemplar: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, CaseIterable, Codable {
        case organization, project, community, person

        /// The Chinese name of the kind, as used in headings.
        public var label: String {
            switch self {
            case .organization: "组织"
            case .project: "项目"
            case .community: "社区"
            case .person: "个人"
            }
        }
    }

    public var name: String
    public var kind: Kind
    public var honor: String
    public var program: String?
    public var conferredBy: String?
    public var year: Int?
    public var district: String?
    /// Where the entry was written.
    public var origin: Origin?

    public init(
        name: String, kind: Kind, honor: String, program: String? = nil, conferredBy: String? = nil,
        year: Int? = nil, district: String? = nil, origin: Origin? = nil
    ) {
        self.name = name
        self.kind = kind
        self.honor = honor
        self.program = program
        self.conferredBy = conferredBy
        self.year = year
        self.district = district
        self.origin = origin
    }
}

/// An attachment (附件) listed in the front matter: a file beside the bulletin and its title.
public struct Attachment: Sendable, Hashable, Codable {
    /// The path as written, relative to the bulletin file.
    public var file: String
    public var title: String
    /// Where the entry was written.
    public var origin: Origin?

    public init(file: String, title: String, origin: Origin? = nil) {
        self.file = file
        self.title = title
        self.origin = origin
    }
}

/// The 版记 block: to whom the bulletin is reported, sent and issued.
public struct Distribution: Sendable, Hashable, Codable {
    /// 报
    public var reportTo: [String]
    /// 送
    public var sendTo: [String]
    /// 发
    public var issueTo: [String]

    public init(reportTo: [String] = [], sendTo: [String] = [], issueTo: [String] = []) {
        self.reportTo = reportTo
        self.sendTo = sendTo
        self.issueTo = issueTo
    }

    public var isEmpty: Bool { reportTo.isEmpty && sendTo.isEmpty && issueTo.isEmpty }
}

/// A measure `bulletin import` recognises: a figure with `unit` in a sentence holding all `keywords` gets `key`.
public struct ImportVocabularyEntry: Sendable, Hashable, Codable {
    public var keywords: [String]
    public var unit: String?
    public var key: String

    public init(keywords: [String], unit: String?, key: String) {
        self.keywords = keywords
        self.unit = unit
        self.key = key
    }
}

/// One series of a site that publishes several: its name (as bulletins write it), its slug in page addresses,
/// and the publishers its bulletins have unless they name their own.
public struct SeriesSettings: Sendable, Codable, Hashable {
    public var name: String
    /// `[a-z0-9-]+`.
    public var slug: String
    public var publishers: [String]

    public init(name: String, slug: String, publishers: [String] = []) {
        self.name = name
        self.slug = slug
        self.publishers = publishers
    }
}

/// Settings from `content/site.yaml`; every one has a default.
public struct SiteConfig: Sendable, Codable {
    public var title: String
    /// Absolute base URL with a trailing slash, for feeds, sitemap and canonical links; nil when not set.
    public var baseURL: String?
    public var language: String
    public var timeZone: String
    public var series: String?
    public var publishers: [String]
    public var textWidth: Int
    public var pageSize: Int
    public var unsafeHTML: Bool
    /// How two values for one stat key, scope and date are reported: an error (the default), or a warning
    /// that keeps the newer bulletin's value, for archives known to hold such corrections.
    public var statConflicts: Diagnostic.Severity
    /// Largest bulletin file read, in bytes (site.yaml `max_file_size`, default 1 MiB).
    public var maxFileSize = 1 << 20
    /// Extra measures `bulletin import` recognises, before its built-in vocabulary.
    public var importVocabulary: [ImportVocabularyEntry] = []
    /// The series of a site that publishes several (site.yaml `series` as a list); empty for one series.
    public var seriesList: [SeriesSettings] = []
    /// Page address pattern of a bulletin, without the leading `/` (site.yaml `permalink`); nil for the default.
    public var permalink: String?
    /// Whether every bulletin is also printed to `bulletin.pdf` (site.yaml `pdf`, or `bulletin build --pdf`).
    public var pdf = false

    /// The settings of the series named `name`, when site.yaml lists it.
    public func seriesSettings(_ name: String) -> SeriesSettings? {
        seriesList.first { $0.name == name }
    }

    public init(
        title: String = "Bulletin", baseURL: String? = nil, language: String = "zh-CN",
        timeZone: String = "Asia/Shanghai", series: String? = nil, publishers: [String] = [],
        textWidth: Int = 56, pageSize: Int = 20, unsafeHTML: Bool = false, statConflicts: Diagnostic.Severity = .error
    ) {
        self.title = title
        self.baseURL = baseURL
        self.language = language
        self.timeZone = timeZone
        self.series = series
        self.publishers = publishers
        self.textWidth = textWidth
        self.pageSize = pageSize
        self.unsafeHTML = unsafeHTML
        self.statConflicts = statConflicts
    }
}
