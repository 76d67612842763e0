import BulletinAggregates
import BulletinFrontMatter
import BulletinImport
import BulletinModel
import BulletinSearch
import BulletinServer
import BulletinSite
import BulletinTables
import Foundation

/// What each fuzz target does with one input. The libFuzzer entry points call these, and so do the regression
/// tests on inputs the fuzzers found, so a crash once found stays fixed.
public enum FuzzTargets {
    /// Front matter splitting and decoding.
    public static func frontMatter(_ bytes: [UInt8]) {
        guard case .success(let text) = SourceText.decode(bytes, limit: 1 << 20) else { return }
        _ = BulletinDecoder.decode(SourceText(path: "fuzz.md", text: text), site: SiteConfig(series: "S", publishers: ["P"]))
        _ = SiteConfigDecoder.decode(SourceText(path: "site.yaml", text: text))
    }

    /// The whole single-bulletin render, HTML and text: the input as a whole file, and as the body under a valid
    /// front matter (so mutations reach the Markdown, HTML and text code instead of stopping at the YAML); and
    /// the input as the text of a search index.
    public static func render(_ bytes: [UInt8]) {
        let withFrontMatter = Array("---\ntitle: 标题\nissue: 1\ndate: 2017-03-07\n---\n".utf8) + bytes
        for input in [bytes, withFrontMatter] {
            _ = BulletinRenderer.render(bytes: input, format: .html)
            _ = BulletinRenderer.render(bytes: input, format: .text)
        }
        let text = String(decoding: bytes, as: UTF8.self)
        let document = SearchDocument(title: text, url: "a/", textURL: "a/bulletin.txt", date: "2017-03-07", issueLabel: "第1期",
                                      year: 2017, tags: [text], districts: [], headTexts: [text], texts: [text, text])
        _ = SearchIndex(documents: [document], analyzed: [AnalyzedDocument(document)])
    }

    /// The table reader: the input as a table file (UTF-8 or GB18030, CSV or TSV) read into rows and a table, and
    /// as the rows of a table block rendered to HTML and text. Rows start on lines in increasing order.
    public static func table(_ bytes: [UInt8]) {
        guard let text = TableReader.decode(bytes) else { return }
        let rows = TableReader.rows(text)
        precondition(rows.rows.count == rows.lines.count, "a row without its line")
        precondition(zip(rows.lines, rows.lines.dropFirst()).allSatisfy { $0 < $1 }, "row lines out of order \(rows.lines)")
        _ = TableReader.table(rows.rows, header: 1, caption: nil)
        let block = Array("---\ntitle: 标题\nissue: 1\ndate: 2017-03-07\n---\n```table caption=\"表\"\n".utf8) + Array(text.utf8)
            + Array("\n```\n".utf8)
        _ = BulletinRenderer.render(bytes: block, format: .html)
        _ = BulletinRenderer.render(bytes: block, format: .text)
    }

    /// The importer.
    public static func importer(_ bytes: [UInt8]) {
        guard case .success(let decoded) = TextDecoding.decode(bytes) else { return }
        _ = Importer.importText(decoded.text, sourceName: "fuzz.txt", encoding: decoded.encoding.rawValue, options: ImportOptions())
    }

    /// The Word reader: the input as a whole DOCX package (ZIP, limits and all) and as its `word/document.xml`, each
    /// read document imported.
    public static func docx(_ bytes: [UInt8]) {
        let documents = [try? DOCXReader.read(bytes), try? DOCXReader.read(documentXML: bytes)]
        for document in documents.compactMap({ $0 }) {
            _ = Importer.importDocument(document, sourceName: "fuzz.docx", options: ImportOptions())
        }
    }

    /// Names turned into folders: never empty, never a path separator, `.` or `..`, never NUL, at most 255 bytes.
    public static func paths(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        let segment = Normalization.pathSegment(text)
        precondition(!segment.isEmpty && segment != "." && segment != "..", "unsafe segment \(segment)")
        precondition(!segment.contains("/") && !segment.contains("\\") && !segment.contains("\0"), "separator in \(segment)")
        precondition(segment.utf8.count <= 255, "segment too long")
        let encoded = Normalization.percentEncoded(segment)
        precondition(!encoded.contains("/"), "encoded separator in \(encoded)")
    }

    /// The preview server's path resolver: nil, or a file inside the served folder.
    public static func serverPath(_ bytes: [UInt8], root: URL) {
        let target = String(decoding: bytes, as: UTF8.self)
        for candidate in [target, "/" + target] {
            guard let file = SafePath.resolve(candidate, root: root) else { continue }
            precondition(file.path.hasPrefix(root.resolvingSymlinksInPath().path + "/"), "escaped to \(file.path)")
        }
    }

    /// The folder `serverPath` is fuzzed against, made once.
    public static let servedRoot = servedFolder()

    /// A small folder for `serverPath`: an index, a page, a file outside it and a symbolic link pointing there.
    public static func servedFolder() -> URL {
        let base = FileManager.default.temporaryDirectory.appending(path: "bulletin-fuzz-served")
        let root = base.appending(path: "site")
        if !FileManager.default.fileExists(atPath: root.path) {
            try? FileManager.default.createDirectory(at: root.appending(path: "a"), withIntermediateDirectories: true)
            try? Data("index".utf8).write(to: root.appending(path: "index.html"))
            try? Data("page".utf8).write(to: root.appending(path: "a/index.html"))
            try? Data("secret".utf8).write(to: base.appending(path: "secret.txt"))
            try? FileManager.default.createSymbolicLink(at: root.appending(path: "link"), withDestinationURL: base.appending(path: "secret.txt"))
        }
        return root
    }
}

extension FuzzTargets {
    /// Runs `target` over the bytes of each file in `paths` (the fuzz executables without libFuzzer).
    public static func replay(_ paths: some Sequence<String>, through target: ([UInt8]) -> Void) throws {
        for path in paths { target(Array(try Data(contentsOf: URL(fileURLWithPath: path)))) }
    }

    /// The bytes libFuzzer hands over.
    public static func bytes(_ data: UnsafePointer<UInt8>, _ size: Int) -> [UInt8] {
        Array(UnsafeBufferPointer(start: data, count: size))
    }
}
