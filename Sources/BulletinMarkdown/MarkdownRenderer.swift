import BulletinModel
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
    /// Warnings about omitted raw HTML and neutralised links, located in the source file.
    public var diagnostics: [Diagnostic]

    /// A body with nothing in it.
    public static let empty = RenderedMarkdown(html: "", headings: [], textBlocks: [], diagnostics: [])
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
    public static func render(
        _ markdown: String, source: SourceText, firstLine: Int, options: MarkdownOptions = MarkdownOptions()
    ) -> RenderedMarkdown {
        let cmarkOptions = options.unsafeHTML ? CMARK_OPT_UNSAFE : CMARK_OPT_DEFAULT
        let document: OpaquePointer = markdown.withCString { cmark_parse_document($0, strlen($0), cmarkOptions) }
        defer { cmark_node_free(document) }
        var transformer = TreeTransformer(source: source, firstLine: firstLine, markdown: markdown, options: options)
        transformer.transform(document)
        guard let rendered = cmark_render_html(document, cmarkOptions) else {
            return RenderedMarkdown(html: "", headings: [], textBlocks: [], diagnostics: transformer.diagnostics)
        }
        defer { free(rendered) }
        return RenderedMarkdown(
            html: String(cString: rendered),
            headings: transformer.headings,
            textBlocks: transformer.textBlocks,
            diagnostics: transformer.diagnostics
        )
    }
}

/// The changes made to the cmark tree between parsing and rendering.
private struct TreeTransformer {
    let source: SourceText
    let firstLine: Int
    let markdown: String
    let options: MarkdownOptions
    var diagnostics: [Diagnostic] = []
    var headings: [Heading] = []
    /// The document as text blocks, taken before headings become opaque custom blocks.
    var textBlocks: [TextBlock] = []
    private lazy var lines: [ArraySlice<UInt8>] = Array(markdown.utf8).split(separator: 0x0A, omittingEmptySubsequences: false)

    init(source: SourceText, firstLine: Int, markdown: String, options: MarkdownOptions) {
        self.source = source
        self.firstLine = firstLine
        self.markdown = markdown
        self.options = options
    }

    mutating func transform(_ document: OpaquePointer) {
        var rawHTML: [OpaquePointer] = []
        var softBreaks: [OpaquePointer] = []
        var headingNodes: [OpaquePointer] = []
        var strongCandidates: [OpaquePointer] = []
        let iterator = cmark_iter_new(document)
        defer { cmark_iter_free(iterator) }
        while true {
            let event = cmark_iter_next(iterator)
            if event == CMARK_EVENT_DONE { break }
            guard event == CMARK_EVENT_ENTER, let node = cmark_iter_get_node(iterator) else { continue }
            switch cmark_node_get_type(node) {
            case CMARK_NODE_HTML_BLOCK, CMARK_NODE_HTML_INLINE:
                if !options.unsafeHTML { rawHTML.append(node) }
            case CMARK_NODE_LINK, CMARK_NODE_IMAGE:
                neutraliseUnsafeURL(node)
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
        textBlocks = TextBlockReader.read(document)
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
