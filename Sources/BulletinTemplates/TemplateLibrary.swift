import BulletinModel
import BulletinSupport
import Foundation
import Mustache

/// A file copied unchanged into the site, from `templates/static/`.
public struct StaticFile: Sendable {
    /// Path below `static/`, with `/` separators.
    public var path: String
    public var bytes: [UInt8]
}

/// The templates of a site: the defaults compiled into the binary, overridden file by file by the site's own
/// `templates/` folder. Parsed and checked once; rendering never reparses.
public struct TemplateLibrary: Sendable {
    private let library: MustacheLibrary
    /// Names of the templates (paths below `templates/` without `.mustache`).
    public let names: Set<String>
    /// Static assets, sorted by path.
    public let staticFiles: [StaticFile]
    /// A digest of every file (templates and static assets, after overrides): what pages were rendered with.
    public let digest: UInt64

    /// Templates every site build renders.
    public static let requiredTemplates = [
        "home", "archive", "year", "bulletin", "taxonomy", "term", "stats", "stat", "exemplars", "exemplar", "404", "feed", "sitemap", "series",
    ]

    /// Loads the defaults and the overrides in `siteTemplatesDirectory` (when it exists). Diagnostics name
    /// site templates as `displayPrefix` + their path below the folder.
    public static func load(siteTemplatesDirectory: URL?, displayPrefix: String = "templates/") -> Result<TemplateLibrary, DiagnosticList> {
        var files: [String: (display: String, bytes: [UInt8])] = [:]
        for file in embeddedTemplateFiles {
            files[file.path] = ("<built-in templates>/\(file.path)", Array(Data(base64Encoded: file.base64) ?? Data()))
        }
        var diagnostics: [Diagnostic] = []
        if let directory = siteTemplatesDirectory {
            for (path, bytes) in readFiles(under: directory) {
                files[path] = (displayPrefix + path, bytes)
            }
        }
        HTMLEscaping.register()
        var templates: [String: MustacheTemplate] = [:]
        var sources: [String: SourceText] = [:]
        var staticFiles: [StaticFile] = []
        var digest = StableDigest()
        for path in files.keys.sorted() {
            let (display, bytes) = files[path]!
            digest.add(path)
            digest.add(bytes.count)
            digest.add(bytes)
            if path.hasPrefix("static/") {
                staticFiles.append(StaticFile(path: String(path.dropFirst("static/".count)), bytes: bytes))
                continue
            }
            guard path.hasSuffix(".mustache") else { continue }
            let name = String(path.dropLast(".mustache".count))
            let text: String
            switch SourceText.decode(bytes, limit: 1 << 20) {
            case .success(let decoded): text = decoded
            case .failure(let problem):
                diagnostics.append(.error("template cannot be read: \(problem)", at: SourceLocation(file: display, line: 1, column: 1)))
                continue
            }
            let source = SourceText(path: display, text: text)
            sources[name] = source
            do {
                templates[name] = try MustacheTemplate(string: HTMLEscaping.pragma + text)
            } catch let error as MustacheTemplate.ParserError {
                let line = error.context.lineNumber
                let column = error.context.columnNumber - (line == 1 ? HTMLEscaping.pragma.count : 0)
                diagnostics.append(source.diagnostic(
                    .error, "template syntax error: \(describe(error.error))", line: line, column: max(1, column)))
            } catch {
                diagnostics.append(source.diagnostic(.error, "template syntax error: \(error)", line: 1, column: 1))
            }
        }
        for name in sources.keys.sorted() {
            for reference in PartialReferences.find(in: sources[name]!.text) where sources[reference.name] == nil {
                let kind = reference.isParent ? "parent template" : "partial"
                diagnostics.append(sources[name]!.diagnostic(
                    .error, "\(kind) '\(reference.name)' not found: expected templates/\(reference.name).mustache",
                    line: reference.line, column: reference.column))
            }
        }
        for name in requiredTemplates where sources[name] == nil {
            diagnostics.append(.error("missing template '\(name)': expected templates/\(name).mustache"))
        }
        if diagnostics.hasErrors { return .failure(DiagnosticList(diagnostics)) }
        return .success(TemplateLibrary(
            library: MustacheLibrary(templates: templates), names: Set(templates.keys), staticFiles: staticFiles,
            digest: digest.value))
    }

    /// Renders the template `name` with a dictionary context.
    public func render(_ name: String, context: [String: Any]) -> String {
        library.render(TemplateValues.prepared(context), withTemplate: name) ?? ""
    }

    /// The default templates, as files keyed by their path below `templates/`, for `bulletin init`.
    public static var defaultFiles: [(path: String, bytes: [UInt8])] {
        embeddedTemplateFiles.map { ($0.path, Array(Data(base64Encoded: $0.base64) ?? Data())) }
    }

    private static func readFiles(under directory: URL) -> [(String, [UInt8])] {
        let root = directory.standardizedFileURL.path
        guard let enumerator = FileManager.default.enumerator(
            at: directory, includingPropertiesForKeys: [.isRegularFileKey], options: [.skipsHiddenFiles]
        ) else { return [] }
        var result: [(String, [UInt8])] = []
        for case let url as URL in enumerator {
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true,
                  let data = FileManager.default.contents(atPath: url.path) else { continue }
            let relative = String(url.standardizedFileURL.path.dropFirst(root.count + 1))
            result.append((relative, Array(data)))
        }
        return result
    }

    private static func describe(_ error: Error) -> String {
        guard let error = error as? MustacheTemplate.Error else { return "\(error)" }
        switch error {
        case .sectionCloseNameIncorrect: return "a section is closed with a different name than it was opened with"
        case .unfinishedName: return "a tag is not closed with '}}'"
        case .expectedSectionEnd: return "a section is never closed: expected '{{/name}}'"
        case .invalidSetDelimiter: return "malformed set-delimiter tag"
        case .transformAppliedToInheritanceSection: return "a transform cannot be applied to an inheritance section"
        case .illegalTokenInsideInheritSection: return "only '{{$block}}' definitions may stand inside '{{<parent}}'"
        case .textInsideInheritSection: return "only '{{$block}}' definitions may stand inside '{{<parent}}', not text"
        case .invalidConfigVariableSyntax: return "malformed pragma '{{% NAME: value}}'"
        case .unrecognisedConfigVariable: return "unknown pragma (expected CONTENT_TYPE)"
        }
    }
}

/// `{{> name}}` and `{{< name}}` tags in a template's text.
enum PartialReferences {
    struct Reference {
        var name: String
        var isParent: Bool
        var line: Int
        var column: Int
    }

    static func find(in text: String) -> [Reference] {
        var references: [Reference] = []
        for (offset, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var rest = line[...]
            while let open = rest.range(of: "{{") {
                let afterOpen = rest[open.upperBound...]
                guard let sigil = afterOpen.first, sigil == ">" || sigil == "<",
                      let close = afterOpen.range(of: "}}") else {
                    rest = afterOpen
                    continue
                }
                let name = afterOpen[afterOpen.index(after: afterOpen.startIndex)..<close.lowerBound]
                    .trimmingCharacters(in: .whitespaces)
                let column = line.unicodeScalars.distance(from: line.startIndex, to: open.lowerBound) + 1
                if !name.isEmpty && !name.hasPrefix("*") {
                    references.append(Reference(name: name, isParent: sigil == "<", line: offset + 1, column: column))
                }
                rest = afterOpen[close.upperBound...]
            }
        }
        return references
    }
}

/// HTML escaping for every template, the same five characters as swift-mustache's own (`<`, `>`, `&`, `"`, `'`)
/// but over UTF-8 bytes, and without copying text that has none of them. swift-mustache escapes Character by
/// Character through a dictionary, which cost about a tenth of a build's CPU time. Each template is parsed with
/// a leading `CONTENT_TYPE` pragma naming this content type (the library's extension point; a partial resets
/// the content type, and starts with the pragma again).
struct HTMLEscaping: MustacheContentType {
    static let name = "BULLETIN_HTML"
    static let pragma = "{{% CONTENT_TYPE: \(name)}}"
    private static let registration: Void = MustacheContentTypes.register(HTMLEscaping(), named: name)

    /// Registers the content type (once, before any template is parsed).
    static func register() { _ = registration }

    func escapeText(_ text: String) -> String {
        // Scanned as contiguous bytes: a `String`'s UTF-8 view is several times slower to go through.
        var contiguous = text
        guard contiguous.withUTF8({ $0.contains(where: Self.isSpecial) }) else { return text }
        let utf8 = text.utf8
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count + 16)
        for byte in utf8 {
            switch byte {
            case UInt8(ascii: "<"): bytes += "&lt;".utf8
            case UInt8(ascii: ">"): bytes += "&gt;".utf8
            case UInt8(ascii: "&"): bytes += "&amp;".utf8
            case UInt8(ascii: "\""): bytes += "&quot;".utf8
            case UInt8(ascii: "'"): bytes += "&#39;".utf8
            default: bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func isSpecial(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "<") || byte == UInt8(ascii: ">") || byte == UInt8(ascii: "&") || byte == UInt8(ascii: "\"")
            || byte == UInt8(ascii: "'")
    }
}
