import BulletinModel
import BulletinTables
import CCmark

#if canImport(Glibc)
import Glibc
#endif

/// A bulletin body converted by libcmark, with what the site needs to know about it.
public struct RenderedMarkdown: Sendable {
    /// HTML of the body.
    public var html: String
    /// Section headings in order, with the ids given to them in `html`.
    public var headings: [Heading]
    /// The text of the body without markup, one block a line (for summaries and search).
    public var plainText: String { textBlocks.map(\.text).joined(separator: "\n") }
    /// The body as text blocks, for the plain-text edition.
    public var textBlocks: [TextBlock]
    /// Warnings about omitted raw HTML and neutralised links, and errors in tables and paths, located in the
    /// source file.
    public var diagnostics: [Diagnostic]
    /// The tables of the body, in order.
    public var tables: [BodyTable] = []
    /// The relative paths of files the body shows or links to, as written, in order.
    public var linkedFiles: [LinkedFile] = []

    /// A body with nothing in it.
    public static let empty = RenderedMarkdown(html: "", headings: [], textBlocks: [], diagnostics: [])
}

/// A file a body refers to by a relative path the resolver published.
public struct LinkedFile: Sendable, Hashable {
    public enum Kind: Sendable, Hashable { case link, image, table }

    public var path: String
    public var kind: Kind
    /// Where the path is written.
    public var location: SourceLocation
}

/// A heading of a bulletin body.
public struct Heading: Sendable, Hashable {
    public var level: Int
    public var text: String
    /// The `id` attribute of the heading: stable for the same text, unique within the page.
    public var id: String
}

/// Options that change how Markdown is rendered.
public struct MarkdownOptions: Sendable {
    /// Keep raw HTML instead of omitting it (site.yaml `unsafe_html`).
    public var unsafeHTML: Bool

    public init(unsafeHTML: Bool = false) {
        self.unsafeHTML = unsafeHTML
    }
}

/// Renders bulletin bodies with libcmark. CommonMark, made friendly to Chinese text: a line break between
/// two CJK characters adds no space, `**…**` next to CJK punctuation is bold, headings get stable ids. Safe by
/// default: raw HTML is omitted with a warning and `javascript:`-style link targets are emptied.
///
/// This file is the only one that touches libcmark; no C pointer leaves it.
public enum MarkdownRenderer {
    /// Renders `markdown`, the body of `source` that starts on file line `firstLine`.
    /// `files` resolves the body's relative paths; without it they stay as written.
    public static func render(
        _ markdown: String, source: SourceText, firstLine: Int, options: MarkdownOptions = MarkdownOptions(),
        files: (any BodyFileResolver)? = nil
    ) -> RenderedMarkdown {
        let cmarkOptions = options.unsafeHTML ? CMARK_OPT_UNSAFE : CMARK_OPT_DEFAULT
        let document: OpaquePointer = markdown.withCString { cmark_parse_document($0, strlen($0), cmarkOptions) }
        defer { cmark_node_free(document) }
        var transformer = TreeTransformer(source: source, firstLine: firstLine, markdown: markdown, options: options, files: files)
        transformer.transform(document)
        let html = cmark_render_html(document, cmarkOptions).map { rendered in
            defer { free(rendered) }
            return String(cString: rendered)
        }
        return RenderedMarkdown(
            html: html ?? "",
            headings: html == nil ? [] : transformer.headings,
            textBlocks: html == nil ? [] : transformer.textBlocks,
            diagnostics: transformer.diagnostics,
            tables: transformer.tables,
            linkedFiles: transformer.linkedFiles
        )
    }
}

/// The changes made to the cmark tree between parsing and rendering.
private struct TreeTransformer {
    let source: SourceText
    let firstLine: Int
    let markdown: String
    let options: MarkdownOptions
    let files: (any BodyFileResolver)?
    var diagnostics: [Diagnostic] = []
    var headings: [Heading] = []
    /// The document as text blocks, taken before headings, tables and images become opaque custom nodes.
    var textBlocks: [TextBlock] = []
    var tables: [BodyTable] = []
    var linkedFiles: [LinkedFile] = []
    private lazy var lines: [ArraySlice<UInt8>] = Array(markdown.utf8).split(separator: 0x0A, omittingEmptySubsequences: false)

    init(source: SourceText, firstLine: Int, markdown: String, options: MarkdownOptions, files: (any BodyFileResolver)?) {
        self.source = source
        self.firstLine = firstLine
        self.markdown = markdown
        self.options = options
        self.files = files
    }

    mutating func transform(_ document: OpaquePointer) {
        var rawHTML: [OpaquePointer] = []
        var softBreaks: [OpaquePointer] = []
        var headingNodes: [OpaquePointer] = []
        var strongCandidates: [OpaquePointer] = []
        var links: [OpaquePointer] = []
        var images: [OpaquePointer] = []
        var tableBlocks: [OpaquePointer] = []
        var pipeParagraphs: [OpaquePointer] = []
        let iterator = cmark_iter_new(document)
        defer { cmark_iter_free(iterator) }
        while true {
            let event = cmark_iter_next(iterator)
            if event == CMARK_EVENT_DONE { break }
            guard event == CMARK_EVENT_ENTER, let node = cmark_iter_get_node(iterator) else { continue }
            switch cmark_node_get_type(node) {
            case CMARK_NODE_HTML_BLOCK, CMARK_NODE_HTML_INLINE:
                if !options.unsafeHTML { rawHTML.append(node) }
            case CMARK_NODE_LINK:
                neutraliseUnsafeURL(node)
                links.append(node)
            case CMARK_NODE_IMAGE:
                neutraliseUnsafeURL(node)
                images.append(node)
            case CMARK_NODE_CODE_BLOCK:
                if let info = cmark_node_get_fence_info(node), TableBlockInfo.isTable(String(cString: info)) { tableBlocks.append(node) }
            case CMARK_NODE_PARAGRAPH:
                // Only a paragraph whose first text holds a pipe may be a pipe table.
                if let first = cmark_node_first_child(node), literalContainsPipe(first) { pipeParagraphs.append(node) }
            case CMARK_NODE_SOFTBREAK:
                softBreaks.append(node)
            case CMARK_NODE_HEADING:
                headingNodes.append(node)
            case CMARK_NODE_TEXT:
                if let parent = cmark_node_parent(node), hasDoubleAsterisk(node),
                   strongCandidates.last != parent, isVerbatim(node) {
                    strongCandidates.append(parent)
                }
            default:
                break
            }
        }
        for node in rawHTML {
            let snippet = literal(node).split(separator: "\n").first.map(String.init) ?? ""
            warn("raw HTML omitted: \(snippet.prefix(60)) (set unsafe_html: true in site.yaml to keep raw HTML)", node)
            cmark_node_free(node)
        }
        for parent in strongCandidates { StrongFixer.pairUnmatchedDelimiters(in: parent) }
        for node in softBreaks where CJK.isBreakBetweenCJK(node) { cmark_node_free(node) }
        for node in pipeParagraphs { warnOfPipeTable(node) }
        for node in links { publishLink(node) }
        var tableOfBlock: [OpaquePointer: BodyTable] = [:]
        for node in tableBlocks {
            if let table = readTable(node) {
                tableOfBlock[node] = table
                tables.append(table)
            }
        }
        let imageHTML = images.compactMap { node in publishImage(node).map { (node, $0) } }
        textBlocks = TextBlockReader.read(document, tables: tableOfBlock)
        for node in tableBlocks { replace(node, with: tableOfBlock[node].map(TableHTML.render) ?? "", type: CMARK_NODE_CUSTOM_BLOCK) }
        for (node, html) in imageHTML { replace(node, with: html, type: CMARK_NODE_CUSTOM_INLINE) }
        var usedIDs: Set<String> = []
        for node in headingNodes { headings.append(replaceHeading(node, usedIDs: &usedIDs)) }
    }

    /// Whether a text node's literal is exactly its source, so every `**` in it was written as a delimiter
    /// (not produced by a backslash escape or an entity).
    private mutating func isVerbatim(_ node: OpaquePointer) -> Bool {
        let line = Int(cmark_node_get_start_line(node))
        let start = Int(cmark_node_get_start_column(node))
        let end = Int(cmark_node_get_end_column(node))
        guard line == Int(cmark_node_get_end_line(node)), line >= 1, line <= lines.count, start >= 1 else { return false }
        let sourceLine = lines[line - 1]
        let from = sourceLine.startIndex + start - 1
        let to = sourceLine.startIndex + end
        guard to <= sourceLine.endIndex, from < to else { return false }
        return sourceLine[from..<to].elementsEqual(literal(node).utf8)
    }

    /// Replaces `node` with a custom node of `type` that renders as `html`.
    private func replace(_ node: OpaquePointer, with html: String, type: cmark_node_type) {
        let custom = cmark_node_new(type)
        cmark_node_set_on_enter(custom, html)
        cmark_node_insert_before(node, custom)
        cmark_node_free(node)
    }

    /// Points a link to a file at its published address.
    private mutating func publishLink(_ node: OpaquePointer) {
        guard let files, let pointer = cmark_node_get_url(node) else { return }
        let url = String(cString: pointer)
        guard !url.isEmpty else { return }
        switch files.link(url) {
        case .success(nil):
            break
        case .success(let published?):
            cmark_node_set_url(node, published)
            linkedFiles.append(LinkedFile(path: url, kind: .link, location: location(of: url, near: node)))
        case .failure(let problem):
            error(problem.message, at: location(of: url, near: node))
        }
    }

    /// The `<picture>` of an image the resolver published; nil for one left as written.
    private mutating func publishImage(_ node: OpaquePointer) -> String? {
        guard let files, let pointer = cmark_node_get_url(node) else { return nil }
        let url = String(cString: pointer)
        guard !url.isEmpty else { return nil }
        let alt = PlainText.of(node).trimmingCharacters(in: " \n")
        let place = location(of: url, near: node)
        switch files.image(url) {
        case .success(nil):
            return nil
        case .success(let image?):
            if alt.isEmpty {
                diagnostics.append(source.diagnostic(.warning, "the image '\(url)' has no alt text: write what it shows between the "
                                                     + "brackets, ![志愿者在广场服务市民](\(url)), for readers who cannot see it",
                                                     line: place.line, column: place.column))
            }
            linkedFiles.append(LinkedFile(path: url, kind: .image, location: place))
            return image.html(alt: alt)
        case .failure(let problem):
            error(problem.message, at: place)
            return nil
        }
    }

    /// The table of a ```` ```table ```` block, or nil after reporting why it has none.
    private mutating func readTable(_ node: OpaquePointer) -> BodyTable? {
        let fenceLine = Int(cmark_node_get_start_line(node)) + firstLine - 1
        let info = cmark_node_get_fence_info(node).map { String(cString: $0) } ?? ""
        let attributes = TableBlockInfo(info)
        let infoColumn = infoStart(onLine: fenceLine, info: info)
        for problem in attributes.problems {
            error(problem.message, at: SourceLocation(file: source.path, line: fenceLine, column: infoColumn + scalarCount(info, problem.offset)))
        }
        guard attributes.problems.isEmpty else { return nil }
        let inline = literal(node)
        let rows: TableRows, rowsFile: String, firstRowLine: Int
        if let path = attributes.file {
            let offset = info.range(of: "file=").map { info.utf8.distance(from: info.startIndex, to: $0.lowerBound) } ?? 0
            let place = SourceLocation(file: source.path, line: fenceLine, column: infoColumn + scalarCount(info, offset))
            guard inline.allSatisfy(\.isWhitespace) else {
                error("a table block with file=\"\(path)\" takes its rows from the file: remove the rows written inside the block, "
                      + "or the file attribute", at: place)
                return nil
            }
            guard let files else {
                error("file=\"\(path)\" cannot be read here: tables from files need the bulletin's site", at: place)
                return nil
            }
            switch files.tableFile(path) {
            case .failure(let problem):
                error(problem.message, at: place)
                return nil
            case .success(let file):
                guard let text = TableReader.decode(file.bytes) else {
                    error("the table file '\(path)' is neither UTF-8 nor GB18030 text; save it from the spreadsheet as CSV (UTF-8)", at: place)
                    return nil
                }
                rows = TableReader.rows(text)
                rowsFile = file.displayPath
                firstRowLine = 1
                linkedFiles.append(LinkedFile(path: path, kind: .table, location: place))
            }
        } else {
            rows = TableReader.rows(inline)
            rowsFile = source.path
            firstRowLine = fenceLine + 1
        }
        switch TableReader.table(rows.rows, header: attributes.header, caption: attributes.caption) {
        case .success(let table):
            return table
        case .failure(let problem):
            let line: Int
            if case .unequalRow(let row, _, _) = problem { line = firstRowLine + rows.lines[row] - 1 } else { line = fenceLine }
            let location = SourceLocation(file: rowsFile, line: line, column: 1)
            diagnostics.append(rowsFile == source.path ? source.diagnostic(.error, problem.description, line: line, column: 1)
                               : .error(problem.description, at: location))
            return nil
        }
    }

    /// Warns of a paragraph that is a GFM pipe table, showing the table block to write instead.
    private mutating func warnOfPipeTable(_ node: OpaquePointer) {
        let start = Int(cmark_node_get_start_line(node)), end = Int(cmark_node_get_end_line(node))
        guard start >= 1, end <= lines.count, end > start else { return }
        let paragraph = (start...end).map { Substring(decoding: lines[$0 - 1], as: UTF8.self) }
        guard let suggestion = PipeTable.suggestion(paragraph) else { return }
        diagnostics.append(source.diagnostic(.warning, "this looks like a pipe table, which bulletins do not use: it is shown as text. "
                                             + "Write a table block instead:\n" + suggestion,
                                             line: start + firstLine - 1, column: 1))
    }

    /// The column (in characters) where a fence's info string starts on file line `line`.
    private func infoStart(onLine line: Int, info: String) -> Int {
        guard let text = source.line(line), let range = text.range(of: info.isEmpty ? "table" : info) else { return 1 }
        return text[..<range.lowerBound].unicodeScalars.count + 1
    }

    /// The number of characters in the first `offset` UTF-8 bytes of `text`.
    private func scalarCount(_ text: String, _ offset: Int) -> Int {
        String(decoding: text.utf8.prefix(offset), as: UTF8.self).unicodeScalars.count
    }

    /// Where `needle` is written in the lines of the block around the inline `node`, else where the block starts.
    private func location(of needle: String, near node: OpaquePointer) -> SourceLocation {
        var block = node
        while cmark_node_get_start_line(block) == 0, let parent = cmark_node_parent(block) { block = parent }
        let start = Int(cmark_node_get_start_line(block)) + firstLine - 1
        let end = max(start, Int(cmark_node_get_end_line(block)) + firstLine - 1)
        for line in start...end {
            if let text = source.line(line), let range = text.range(of: needle) {
                return SourceLocation(file: source.path, line: line, column: text[..<range.lowerBound].unicodeScalars.count + 1)
            }
        }
        return SourceLocation(file: source.path, line: start, column: max(1, Int(cmark_node_get_start_column(block))))
    }

    private mutating func error(_ message: String, at location: SourceLocation) {
        diagnostics.append(source.diagnostic(.error, message, line: location.line, column: location.column))
    }

    private mutating func neutraliseUnsafeURL(_ node: OpaquePointer) {
        guard let pointer = cmark_node_get_url(node) else { return }
        let url = String(cString: pointer)
        guard url.utf8.contains(UInt8(ascii: ":")) else { return }  // no scheme: nothing to check
        let scheme = url.prefix { $0 != ":" }.lowercased().filter { !$0.isWhitespace }
        let isImage = cmark_node_get_type(node) == CMARK_NODE_IMAGE
        let dangerous = ["javascript", "vbscript", "file"].contains(scheme)
            || (scheme == "data" && !(isImage && ["data:image/png", "data:image/gif", "data:image/jpeg", "data:image/webp"]
                .contains { url.lowercased().hasPrefix($0) }))
        guard dangerous else { return }
        warn("link target '\(url.prefix(40))' removed: \(scheme): links are not allowed", node)
        cmark_node_set_url(node, "")
    }

    /// Replaces a heading with a custom block holding the same heading's HTML with an `id` added.
    private mutating func replaceHeading(_ node: OpaquePointer, usedIDs: inout Set<String>) -> Heading {
        let level = Int(cmark_node_get_heading_level(node))
        let text = PlainText.of(node).trimmingCharacters(in: " \n")
        var id = Slug.headingID(text)
        if usedIDs.contains(id) {
            var counter = 2
            while usedIDs.contains("\(id)-\(counter)") { counter += 1 }
            id = "\(id)-\(counter)"
        }
        usedIDs.insert(id)
        let cmarkOptions = options.unsafeHTML ? CMARK_OPT_UNSAFE : CMARK_OPT_DEFAULT
        if let rendered = cmark_render_html(node, cmarkOptions) {
            let html = String(cString: rendered)
            free(rendered)
            let openTag = "<h\(level)>"
            let block = cmark_node_new(CMARK_NODE_CUSTOM_BLOCK)
            let body = html.hasPrefix(openTag) ? String(html.dropFirst(openTag.count)) : html
            cmark_node_set_on_enter(block, "<h\(level) id=\"\(id)\">" + body.trimmingCharacters(in: "\n"))
            cmark_node_insert_before(node, block)
            cmark_node_free(node)
        }
        return Heading(level: level, text: text, id: id)
    }

    private mutating func warn(_ message: String, _ node: OpaquePointer) {
        let line = Int(cmark_node_get_start_line(node)) + firstLine - 1
        let column = max(1, Int(cmark_node_get_start_column(node)))
        let byteColumn = column
        let text = source.line(line) ?? ""
        let scalarColumn = String(decoding: text.utf8.prefix(byteColumn - 1), as: UTF8.self).unicodeScalars.count + 1
        diagnostics.append(source.diagnostic(.warning, message, line: line, column: scalarColumn))
    }
}

/// Whether a node's literal contains `**`, checked on the C string without copying it.
func hasDoubleAsterisk(_ node: OpaquePointer) -> Bool {
    guard var pointer = cmark_node_get_literal(node) else { return false }
    let star = CChar(UInt8(ascii: "*"))
    while pointer.pointee != 0 {
        if pointer.pointee == star && pointer.advanced(by: 1).pointee == star { return true }
        pointer = pointer.advanced(by: 1)
    }
    return false
}

/// Whether a node's literal holds `|`, looked for in its bytes (Foundation's `contains` on the `String` costs 2 % of
/// a build's processor time).
func literalContainsPipe(_ node: OpaquePointer) -> Bool {
    guard let pointer = cmark_node_get_literal(node) else { return false }
    return strchr(pointer, Int32(UInt8(ascii: "|"))) != nil
}

func literal(_ node: OpaquePointer) -> String {
    cmark_node_get_literal(node).map { String(cString: $0) } ?? ""
}

/// Pairs `**` runs that CommonMark left as text because of CJK punctuation beside them
/// (`举行**“河小二”**助力`), making the text between them bold.
private enum StrongFixer {
    static func pairUnmatchedDelimiters(in parent: OpaquePointer) {
        var child = cmark_node_first_child(parent)
        var markers: [OpaquePointer] = []
        while let node = child {
            child = cmark_node_next(node)
            guard cmark_node_get_type(node) == CMARK_NODE_TEXT else { continue }
            guard hasDoubleAsterisk(node) else { continue }
            let text = literal(node)
            let pieces = text.piecesSeparatedByDoubleAsterisk()
            for (index, piece) in pieces.enumerated() {
                if index > 0 {
                    let marker = textNode("**")
                    cmark_node_insert_before(node, marker)
                    markers.append(marker)
                }
                if !piece.isEmpty { cmark_node_insert_before(node, textNode(piece)) }
            }
            cmark_node_free(node)
        }
        var opener: OpaquePointer?
        for marker in markers {
            let before = cmark_node_previous(marker).map(CJK.lastCharacter)
            let after = cmark_node_next(marker).map(CJK.firstCharacter)
            let canOpen = after.map { $0 != nil && !$0!.properties.isWhitespace } ?? false
            let canClose = before.map { $0 != nil && !$0!.properties.isWhitespace } ?? false
            if let open = opener, canClose, cmark_node_next(open) != marker {
                wrap(from: open, to: marker)
                opener = nil
            } else if canOpen {
                opener = marker
            }
        }
    }

    private static func textNode(_ text: String) -> OpaquePointer {
        let node = cmark_node_new(CMARK_NODE_TEXT)!
        cmark_node_set_literal(node, text)
        return node
    }

    private static func wrap(from opener: OpaquePointer, to closer: OpaquePointer) {
        let strong = cmark_node_new(CMARK_NODE_STRONG)!
        cmark_node_insert_before(opener, strong)
        while let node = cmark_node_next(opener), node != closer { cmark_node_append_child(strong, node) }
        cmark_node_free(opener)
        cmark_node_free(closer)
    }
}

/// Character classes for Chinese-friendly rendering.
enum CJK {
    /// Whether a soft line break sits between two CJK characters, where it must not become a space.
    static func isBreakBetweenCJK(_ node: OpaquePointer) -> Bool {
        guard let previous = cmark_node_previous(node), let next = cmark_node_next(node),
              let last = lastCharacter(previous), let first = firstCharacter(next) else { return false }
        return isCJK(last) && isCJK(first)
    }

    /// Han, kana, hangul, CJK and full-width punctuation, and the quotation marks and dashes of Chinese text.
    static func isCJK(_ scalar: Unicode.Scalar) -> Bool {
        DisplayWidth.isWide(scalar.value) || [0x201C, 0x201D, 0x2018, 0x2019, 0x2026, 0x2014].contains(scalar.value)
    }

    /// The last character of an inline node's text, descending into containers.
    static func lastCharacter(_ node: OpaquePointer) -> Unicode.Scalar? {
        var current = node
        while let child = cmark_node_last_child(current) { current = child }
        return literal(current).unicodeScalars.last
    }

    /// The first character of an inline node's text, descending into containers.
    static func firstCharacter(_ node: OpaquePointer) -> Unicode.Scalar? {
        var current = node
        while let child = cmark_node_first_child(current) { current = child }
        return literal(current).unicodeScalars.first
    }
}

/// Text content of a cmark subtree.
enum PlainText {
    static func of(_ root: OpaquePointer) -> String {
        var text = ""
        let iterator = cmark_iter_new(root)
        defer { cmark_iter_free(iterator) }
        while true {
            let event = cmark_iter_next(iterator)
            if event == CMARK_EVENT_DONE { break }
            guard let node = cmark_iter_get_node(iterator) else { continue }
            let type = cmark_node_get_type(node)
            if event == CMARK_EVENT_ENTER {
                switch type {
                case CMARK_NODE_TEXT, CMARK_NODE_CODE, CMARK_NODE_CODE_BLOCK: text += literal(node)
                case CMARK_NODE_SOFTBREAK: text += " "
                case CMARK_NODE_LINEBREAK: text += "\n"
                default: break
                }
            } else if type == CMARK_NODE_PARAGRAPH || type == CMARK_NODE_CUSTOM_BLOCK || type == CMARK_NODE_HEADING {
                text += "\n"
            }
        }
        return text
    }
}

extension String {
    /// The text cut at every `**`: `a**b**` gives `["a", "b", ""]`.
    func piecesSeparatedByDoubleAsterisk() -> [String] {
        var pieces: [String] = []
        var current: [UInt8] = []
        var bytes = utf8.makeIterator()
        var pendingStar = false
        while let byte = bytes.next() {
            if byte == UInt8(ascii: "*") {
                if pendingStar {
                    pieces.append(String(decoding: current, as: UTF8.self))
                    current.removeAll(keepingCapacity: true)
                    pendingStar = false
                } else {
                    pendingStar = true
                }
                continue
            }
            if pendingStar { current.append(UInt8(ascii: "*")); pendingStar = false }
            current.append(byte)
        }
        if pendingStar { current.append(UInt8(ascii: "*")) }
        pieces.append(String(decoding: current, as: UTF8.self))
        return pieces
    }

    func trimmingCharacters(in set: String) -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !set.unicodeScalars.contains($0) }),
              let last = scalars.lastIndex(where: { !set.unicodeScalars.contains($0) }) else { return "" }
        return String(scalars[first...last])
    }
}
