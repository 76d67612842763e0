import BulletinModel
import CCmark

/// A leaf block of a Markdown body reduced to text, with the containers around it, in document order.
/// The plain-text edition lays these out; the flat list needs no recursion however deep the input nests.
public struct TextBlock: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        case paragraph
        case heading(level: Int)
        /// Verbatim lines, never wrapped.
        case code
        case thematicBreak
        /// A table block; `text` holds its caption and cells for search.
        case table(BodyTable)
    }

    public var kind: Kind
    /// Inline text with emphasis markers dropped and images as 【图】 and their alt text; `\n` for hard line breaks.
    public var text: String
    /// Enclosing block quotes and list items, outermost first.
    public var containers: [TextContainer]
    /// Links of this block, numbered through the document.
    public var notes: [LinkNote]

    /// The text with each link's `[n]` note marker after the link text.
    public var textWithNoteMarkers: String {
        guard !notes.isEmpty else { return text }
        var result = ""
        var start = text.utf8.startIndex
        for note in notes {
            let end = text.utf8.index(text.utf8.startIndex, offsetBy: note.offset)
            result += text[start..<end] + "[\(note.number)]"
            start = end
        }
        return result + text[start...]
    }
}

/// A block quote or list item around a text block.
public enum TextContainer: Sendable, Hashable {
    case quote
    /// A list item: its marker (`•`, `1.`) and whether this block is the item's first (where the marker stands).
    case item(marker: String, isFirstBlock: Bool)
}

/// The target of a link, shown in the note list as `[number] url`.
public struct LinkNote: Sendable, Hashable {
    public var number: Int
    public var url: String
    /// UTF-8 offset in the block's text just after the link text.
    public var offset: Int

    public init(number: Int, url: String, offset: Int) {
        self.number = number
        self.url = url
        self.offset = offset
    }
}

/// Reads text blocks out of a cmark tree with its iterator.
enum TextBlockReader {
    /// The blocks of `document`; a code block in `tables` is that table.
    static func read(_ document: OpaquePointer, tables: [OpaquePointer: BodyTable] = [:]) -> [TextBlock] {
        var blocks: [TextBlock] = []
        var containers: [TextContainer] = []
        var listCounters: [(ordered: Bool, next: Int, delimiter: String)] = []
        var current: TextBlock?
        var linkNumber = 0
        let iterator = cmark_iter_new(document)
        defer { cmark_iter_free(iterator) }
        while true {
            let event = cmark_iter_next(iterator)
            if event == CMARK_EVENT_DONE { break }
            guard let node = cmark_iter_get_node(iterator) else { continue }
            let entering = event == CMARK_EVENT_ENTER
            switch cmark_node_get_type(node) {
            case CMARK_NODE_BLOCK_QUOTE:
                if entering { containers.append(.quote) } else { containers.removeLast() }
            case CMARK_NODE_LIST:
                if entering {
                    let ordered = cmark_node_get_list_type(node) == CMARK_ORDERED_LIST
                    let delimiter = cmark_node_get_list_delim(node) == CMARK_PAREN_DELIM ? ")" : "."
                    listCounters.append((ordered, Int(cmark_node_get_list_start(node)), delimiter))
                } else {
                    listCounters.removeLast()
                }
            case CMARK_NODE_ITEM:
                if entering {
                    var list = listCounters.removeLast()
                    let marker = list.ordered ? "\(list.next)\(list.delimiter)" : "•"
                    list.next += 1
                    listCounters.append(list)
                    containers.append(.item(marker: marker, isFirstBlock: true))
                } else {
                    containers.removeLast()
                }
            case CMARK_NODE_PARAGRAPH, CMARK_NODE_HEADING:
                if entering {
                    let kind: TextBlock.Kind = cmark_node_get_type(node) == CMARK_NODE_HEADING
                        ? .heading(level: Int(cmark_node_get_heading_level(node))) : .paragraph
                    current = TextBlock(kind: kind, text: "", containers: containers, notes: [])
                } else if let block = current {
                    emit(block, into: &blocks, containers: &containers)
                    current = nil
                }
            case CMARK_NODE_CODE_BLOCK:
                if let table = tables[node] {
                    emit(TextBlock(kind: .table(table), text: table.text, containers: containers, notes: []), into: &blocks, containers: &containers)
                } else {
                    var code = literal(node)
                    if code.hasSuffix("\n") { code.removeLast() }
                    emit(TextBlock(kind: .code, text: code, containers: containers, notes: []), into: &blocks, containers: &containers)
                }
            case CMARK_NODE_THEMATIC_BREAK:
                emit(TextBlock(kind: .thematicBreak, text: "", containers: containers, notes: []), into: &blocks, containers: &containers)
            case CMARK_NODE_TEXT, CMARK_NODE_CODE:
                current?.text += literal(node)
            case CMARK_NODE_IMAGE:
                if entering { current?.text += "【图】" }
            case CMARK_NODE_SOFTBREAK:
                current?.text += " "
            case CMARK_NODE_LINEBREAK:
                current?.text += "\n"
            case CMARK_NODE_LINK:
                if !entering, current != nil, let url = cmark_node_get_url(node).map({ String(cString: $0) }), !url.isEmpty {
                    linkNumber += 1
                    let offset = current?.text.utf8.count ?? 0
                    current?.notes.append(LinkNote(number: linkNumber, url: url, offset: offset))
                }
            default:
                break
            }
        }
        // Kept until the text edition and the search index are made: without the room left by growing.
        return blocks.withUnsafeBufferPointer(Array.init)
    }

    /// Appends a block (its text in storage of its own size) and marks the enclosing items as having shown their
    /// markers.
    private static func emit(_ block: TextBlock, into blocks: inout [TextBlock], containers: inout [TextContainer]) {
        var block = block
        block.text = block.text.compacted
        blocks.append(block)
        for index in containers.indices {
            if case .item(let marker, true) = containers[index] { containers[index] = .item(marker: marker, isFirstBlock: false) }
        }
    }
}

extension String {
    /// The same text in storage of its own size: a string grown by appending keeps up to twice the room it needs.
    var compacted: String {
        let count = utf8.count
        guard count > 15 else { return self }
        return String(unsafeUninitializedCapacity: count) { buffer in
            _ = buffer.initialize(fromContentsOf: utf8)
            return count
        }
    }
}
