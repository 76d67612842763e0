import BulletinFrontMatter
import BulletinMarkdown
import BulletinModel
import BulletinSupport
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What the parse stage makes of a bulletin file besides its body, and what the memo keeps of it: the front
/// matter, the summary, the file's warnings and the digests that key them.
struct ParsedFacts: Codable, Sendable {
    var bulletin: Bulletin
    var summary: String
    /// The tables of the body, in order.
    var tables: [BodyTable]
    /// The files published beside the bulletin's page.
    var files: [PublishedFile]
    /// The other files its pages are made from (table files, images, attachments).
    var dependencies: [SourceDependency]
    /// Digest of the file's text and of its dependencies' bytes, which with the site settings determine
    /// everything else here.
    var sourceKey: UInt64
    /// Digest of what pages other than the bulletin's own show of it: its front matter and summary.
    var factsKey: UInt64
    /// The file's warnings (a file with errors is not parsed into a bulletin).
    var diagnostics: [Diagnostic]
}

/// A bulletin read from its file: front matter, rendered body, derived summary.
final class LoadedBulletin: Sendable {
    let facts: ParsedFacts
    /// The body as parsed: rendered once, or for a bulletin taken from the build cache, the file to render it from.
    private let storedBody: StoredBody

    enum StoredBody: Sendable {
        /// Rendered when the file was parsed: HTML, block tree and headings.
        case rendered(RenderedMarkdown)
        /// A bulletin from the build cache: its file (absolute path), rendered when a page that shows it is.
        case file(String, BodyFiles)
    }

    /// What the bodies of a build's bulletins from the build cache are rendered with: one reference shared by
    /// all of them (the settings are a large value to copy ten thousand times).
    final class BodyFiles: Sendable {
        let config: SiteConfig
        let site: SiteFiles?

        init(config: SiteConfig, site: SiteFiles?) {
            self.config = config
            self.site = site
        }
    }

    init(facts: ParsedFacts, body: StoredBody) {
        self.facts = facts
        storedBody = body
    }

    /// The rendered body; one from the build cache is rendered from its file, which fails with a diagnostic
    /// naming the file when it can no longer be read or parsed.
    func body() throws(Diagnostic) -> RenderedMarkdown {
        switch storedBody {
        case .rendered(let body): return body
        case .file(let path, let files):
            return try ContentLoader.renderBody(of: path, displayPath: sourcePath, config: files.config, site: files.site)
        }
    }

    var bulletin: Bulletin { facts.bulletin }
    var summary: String { facts.summary }
    var sourceKey: UInt64 { facts.sourceKey }
    var factsKey: UInt64 { facts.factsKey }
    var sourcePath: String { facts.bulletin.sourcePath }
    var date: CalendarDate { facts.bulletin.date }
    var series: String { facts.bulletin.series }
    var issue: Int { facts.bulletin.issue }
    var serial: Int? { facts.bulletin.serial }
    var pageNumber: Int { facts.bulletin.pageNumber }
    var draft: Bool { facts.bulletin.draft }
}

extension ParsedFacts {
    /// Whether every file the bulletin depends on besides its own still has the stamp (or else the bytes) it had
    /// when it was parsed.
    func dependenciesUnchanged(siteDirectory: String) -> Bool {
        dependencies.allSatisfy { dependency in
            let path = dependency.path.hasPrefix("/") ? dependency.path : siteDirectory + "/" + dependency.path
            if let stamp = dependency.stamp, SourceStamp(path: path) == stamp { return true }
            guard let data = FileManager.default.contents(atPath: path) else { return false }
            return ContentLoader.digest(Array(data)) == dependency.digest
        }
    }
}


/// The bulletin files below `content/` in path order, and the links skipped.
struct FileListing: Sendable {
    struct File: Sendable {
        /// Absolute.
        let path: String
        /// Relative to the site folder.
        let displayPath: String
        /// Reached through a symbolic link (whose target a watcher of the folder does not see change).
        let isLink: Bool
    }

    var files: [File]
    var skipped: [Diagnostic]
}

/// Reads `content/`: `site.yaml`, then every `*.md` below it in sorted order, decoded in parallel.
enum ContentLoader {
    /// Files larger than this are rejected before they are parsed, unless site.yaml sets `max_file_size`.
    static let maximumFileSize = 1 << 20

    /// `content/site.yaml` of a site, or the defaults when there is none.
    static func loadConfig(siteDirectory: URL) -> (SiteConfig, [Diagnostic]) {
        let siteFile = siteDirectory.appending(path: "content/site.yaml")
        guard FileManager.default.fileExists(atPath: siteFile.path) else { return (SiteConfig(), []) }
        switch readSource(siteFile.path, displayPath: "content/site.yaml") {
        case .success(let source):
            return SiteConfigDecoder.decode(source)
        case .failure(let diagnostic):
            return (SiteConfig(), [diagnostic])
        }
    }

    /// `*.md` files below `directory`, skipping hidden files and folders, sorted by path. Symbolic links are
    /// followed only when they lead to a file inside the site; others (outside, dangling, looping) are skipped
    /// with a warning. Folders reached through links are never entered.
    static func markdownFiles(under directory: URL, siteDirectory: URL) -> FileListing {
        let root = siteDirectory.standardizedFileURL.path
        let realRoot = siteDirectory.standardizedFileURL.resolvingSymlinksInPath().path
        var files: [FileListing.File] = []
        var skipped: [Diagnostic] = []
        // A directory walk with readdir: the entry types come with the names, so only links need a stat.
        var folders = [directory.standardizedFileURL.path]
        while let folder = folders.popLast() {
            guard let stream = opendir(folder) else { continue }
            defer { closedir(stream) }
            while let entry = readdir(stream) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
                guard !name.hasPrefix(".") else { continue }
                let path = folder + "/" + name
                let display = path.hasPrefix(root + "/") ? String(path.dropFirst(root.count + 1)) : path
                var type = Int32(entry.pointee.d_type)
                if type == Int32(DT_UNKNOWN) {
                    var info = stat()
                    guard lstat(path, &info) == 0 else { continue }
                    type = (info.st_mode & S_IFMT) == S_IFDIR ? Int32(DT_DIR) : (info.st_mode & S_IFMT) == S_IFLNK ? Int32(DT_LNK) : Int32(DT_REG)
                }
                switch type {
                case Int32(DT_DIR):
                    folders.append(path)
                case Int32(DT_LNK):
                    let target = URL(fileURLWithPath: path).resolvingSymlinksInPath()
                    var isDirectory: ObjCBool = false
                    let exists = FileManager.default.fileExists(atPath: target.path, isDirectory: &isDirectory)
                    if !exists || !target.path.hasPrefix(realRoot + "/") || isDirectory.boolValue {
                        let reason = !exists ? "it is dangling or loops" : isDirectory.boolValue ? "links to folders are not followed" : "it points outside the site"
                        skipped.append(.warning("symbolic link skipped: \(reason)", at: SourceLocation(file: display, line: 1, column: 1)))
                    } else if name.hasSuffix(".md") {
                        files.append(FileListing.File(path: path, displayPath: display, isLink: true))
                    }
                case Int32(DT_REG):
                    if name.hasSuffix(".md") { files.append(FileListing.File(path: path, displayPath: display, isLink: false)) }
                default:
                    break
                }
            }
        }
        files.sort { $0.displayPath.utf8.lexicographicallyPrecedes($1.displayPath.utf8) }
        skipped.sort { ($0.location?.file ?? "").utf8.lexicographicallyPrecedes(($1.location?.file ?? "").utf8) }
        return FileListing(files: files, skipped: skipped)
    }

    /// Reads and decodes a file, rejecting empty, oversized and non-UTF-8 files with a located diagnostic.
    static func readSource(_ path: String, displayPath: String, limit: Int = maximumFileSize) -> Result<SourceText, Diagnostic> {
        readBytes(path, displayPath: displayPath, limit: limit).flatMap { decode($0, displayPath: displayPath, limit: limit) }
    }

    /// The bytes of a file, up to one more than `limit`.
    static func readBytes(_ path: String, displayPath: String, limit: Int) -> Result<[UInt8], Diagnostic> {
        guard let bytes = FileBytes.read(path, limit: limit) else {
            return .failure(.error("cannot read the file", at: SourceLocation(file: displayPath, line: 1, column: 1)))
        }
        return .success(bytes)
    }

    static func decode(_ bytes: [UInt8], displayPath: String, limit: Int) -> Result<SourceText, Diagnostic> {
        let location = SourceLocation(file: displayPath, line: 1, column: 1)
        switch SourceText.decode(bytes, limit: limit) {
        case .success(let text):
            return .success(SourceText(path: displayPath, text: text))
        case .failure(.empty):
            return .failure(.error("the file is empty; a bulletin starts with front matter between '---' lines", at: location))
        case .failure(.tooLarge(_, let limit)):
            let size = limit % (1 << 20) == 0 ? "\(limit >> 20) MiB" : "\(limit) bytes"
            return .failure(.error("the file is larger than \(size), the limit for one bulletin (max_file_size in site.yaml)", at: location))
        case .failure(.invalidUTF8(let offset, let line, let column)):
            return .failure(.error(
                "the file is not valid UTF-8 (byte offset \(offset)); save it as UTF-8 (文件须以 UTF-8 编码保存)",
                at: SourceLocation(file: displayPath, line: line, column: column)))
        }
    }

    /// The digest of a file's bytes that keys it in the build cache (eight bytes at a time: every file of every
    /// build is digested).
    static func digest(_ bytes: [UInt8]) -> UInt64 {
        var digest = StableDigest()
        digest.addBlock(bytes)
        return digest.value
    }

    /// The body of a bulletin file taken from the build cache, read and rendered when a page shows it; a file that
    /// cannot be read or split again is an error naming it.
    static func renderBody(of path: String, displayPath: String, config: SiteConfig, site: SiteFiles?) throws(Diagnostic) -> RenderedMarkdown {
        let source = try readSource(path, displayPath: displayPath, limit: config.maxFileSize).get()
        let document = try FrontMatterSplitter.split(source).get()
        let body = renderBody(document.body, source: source, firstLine: document.bodyFirstLine, config: config,
                              files: site?.resolver(forBulletinAt: displayPath))
        if let error = body.diagnostics.first(where: { $0.severity == .error }) { throw error }
        return body
    }

    private static func renderBody(_ markdown: String, source: SourceText, firstLine: Int, config: SiteConfig,
                                   files: BulletinFileResolver?) -> RenderedMarkdown {
        MarkdownRenderer.render(markdown, source: source, firstLine: firstLine, options: MarkdownOptions(unsafeHTML: config.unsafeHTML),
                                files: files)
    }

    /// Reads, decodes and parses one bulletin file of `site` (whose files its body may show and link to).
    static func loadBulletin(path: String, displayPath: String, config: SiteConfig, site: SiteFiles?)
        -> (loaded: LoadedBulletin?, diagnostics: [Diagnostic]) {
        switch readBytes(path, displayPath: displayPath, limit: config.maxFileSize) {
        case .success(let bytes): return loadBulletin(bytes: bytes, key: digest(bytes), displayPath: displayPath, config: config, site: site)
        case .failure(let diagnostic): return (nil, [diagnostic])
        }
    }

    /// Decodes and parses one bulletin file already read; `key` is the digest of its bytes.
    static func loadBulletin(bytes: [UInt8], key: UInt64, displayPath: String, config: SiteConfig, site: SiteFiles?)
        -> (loaded: LoadedBulletin?, diagnostics: [Diagnostic]) {
        switch decode(bytes, displayPath: displayPath, limit: config.maxFileSize) {
        case .success(let source): return loadBulletin(source: source, key: key, config: config, site: site)
        case .failure(let diagnostic): return (nil, [diagnostic])
        }
    }

    /// Decodes one bulletin already read and renders its body once; `key` is the digest of its bytes. Without a
    /// site, the body's relative paths are left as written.
    static func loadBulletin(source: SourceText, key: UInt64, config: SiteConfig, site: SiteFiles?)
        -> (loaded: LoadedBulletin?, diagnostics: [Diagnostic]) {
        let decoded = BulletinDecoder.decode(source, site: config)
        guard let bulletin = decoded.bulletin else { return (nil, decoded.diagnostics) }
        let guarded = MarkdownGuard.check(decoded.body, source: source, firstLine: decoded.bodyFirstLine)
        if !guarded.isEmpty { return (nil, decoded.diagnostics + guarded) }
        let resolver = site?.resolver(forBulletinAt: source.path)
        let body = renderBody(decoded.body, source: source, firstLine: decoded.bodyFirstLine, config: config, files: resolver)
        let (files, dependencies, fileDiagnostics) = resolver.map { BulletinFiles.collect(bulletin, body: body, resolver: $0) } ?? ([], [], [])
        let diagnostics = decoded.diagnostics + body.diagnostics + fileDiagnostics
        if diagnostics.hasErrors { return (nil, diagnostics) }
        let summary = bulletin.summary ?? Summary.derive(from: body.plainText, headings: body.headings.map(\.text))
        var facts = StableDigest()
        facts.add(source.path)
        facts.add(source.text(beforeLine: decoded.bodyFirstLine).utf8)
        facts.add(summary)
        if !body.tables.isEmpty || !files.isEmpty {
            facts.add((try? JSONEncoder.sorted.encode([body.tables])).map(Array.init) ?? [])
            facts.add((try? JSONEncoder.sorted.encode(files)).map(Array.init) ?? [])
        }
        var sourceKey = StableDigest()
        sourceKey.add(key)
        for dependency in dependencies { sourceKey.add(dependency.digest) }
        let parsed = ParsedFacts(bulletin: bulletin, summary: summary, tables: body.tables, files: files, dependencies: dependencies,
                                 sourceKey: dependencies.isEmpty ? key : sourceKey.value, factsKey: facts.value, diagnostics: diagnostics)
        return (LoadedBulletin(facts: parsed, body: .rendered(body)), diagnostics)
    }
}

/// Summaries for bulletins whose front matter has none.
enum Summary {
    static let length = 120

    /// The first paragraph that is not a heading, cut after a sentence end near `length` characters, or at
    /// `length` with an ellipsis.
    static func derive(from plainText: String, headings: [String]) -> String {
        var paragraph = ""
        var rest = plainText[...]
        while !rest.isEmpty {
            let end = rest.utf8.firstIndex(of: UInt8(ascii: "\n")) ?? rest.endIndex
            let line = rest[..<end].drop { $0 == " " || $0 == "\u{3000}" }
            rest = end < rest.endIndex ? rest[rest.utf8.index(after: end)...] : rest[end...]
            guard !line.isEmpty, !headings.contains(where: { $0 == line }) else { continue }
            paragraph = String(line.prefix(length + 1))
            while paragraph.last == " " { paragraph.removeLast() }
            break
        }
        let characters = Array(paragraph)
        guard characters.count > length else { return paragraph }
        let window = characters[..<length]
        if let end = window.lastIndex(where: { "。！？".contains($0) }), end >= length / 3 {
            return String(characters[...end])
        }
        return String(window) + "…"
    }
}
