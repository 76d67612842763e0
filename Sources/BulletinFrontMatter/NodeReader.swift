import BulletinModel
import Yams

/// Reads typed values out of YAML nodes by the bulletin rules, collecting a diagnostic for every value
/// that does not fit, so one pass reports all of a file's problems.
struct NodeReader {
    let document: YAMLDocument
    var diagnostics: [Diagnostic] = []
    /// Where texts are made one with equal texts of other files.

    init(document: YAMLDocument) {
        self.document = document
    }

    /// Where a node was written.
    func origin(of node: Node?) -> Origin {
        let diagnostic = document.diagnostic("", at: node?.mark)
        return Origin(location: diagnostic.location!, quotesLine: diagnostic.sourceLine != nil)
    }

    mutating func error(_ message: String, at node: Node?) {
        diagnostics.append(document.diagnostic(message, at: node?.mark))
    }

    mutating func warning(_ message: String, at node: Node?) {
        diagnostics.append(document.diagnostic(message, at: node?.mark, severity: .warning))
    }

    /// The fields of a mapping by key. Keys outside `known` are warned about, with the closest known key
    /// suggested.
    mutating func fields(of node: Node, in context: String, known: [String]) -> [String: Node]? {
        guard case .mapping(let mapping) = node else {
            error("expected \(context) as a mapping of 'key: value' lines, found \(describe(node))", at: node)
            return nil
        }
        var fields: [String: Node] = [:]
        for (key, value) in mapping {
            guard case .scalar(let scalar) = key else {
                error("a key in \(context) must be plain text, found \(describe(key))", at: key)
                continue
            }
            let name = scalar.string
            if !known.contains(name) {
                let suggestion = Suggestion.closest(to: name, among: known).map { "; did you mean '\($0)'?" } ?? ""
                warning("unknown key '\(name)' in \(context)\(suggestion)", at: key)
            }
            fields[name] = value
        }
        return fields
    }

    /// Whether a node is YAML null: an empty plain value, `~` or `null`.
    func isNull(_ node: Node?) -> Bool {
        guard let node else { return true }
        guard case .scalar(let scalar) = node, scalar.style == .plain else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    /// Text of a scalar field; lists and mappings are errors. Empty text counts as absent.
    mutating func text(_ node: Node?, field: String) -> String? {
        guard !isNull(node), let node else { return nil }
        guard case .scalar(let scalar) = node else {
            error("'\(field)' must be text, found \(describe(node))", at: node)
            return nil
        }
        let value = scalar.string.trimmingWhitespace()
        guard !value.isEmpty else { return nil }
        return value
    }

    /// A list of texts; a single text is taken as a list of one.
    mutating func textList(_ node: Node?, field: String) -> [String] {
        guard !isNull(node), let node else { return [] }
        switch node {
        case .scalar:
            return text(node, field: field).map { [$0] } ?? []
        case .sequence(let sequence):
            return sequence.compactMap { item in
                guard case .scalar = item else {
                    error("each entry of '\(field)' must be text, found \(describe(item))", at: item)
                    return nil
                }
                return text(item, field: field)
            }
        default:
            error("'\(field)' must be a list of texts, found \(describe(node))", at: node)
            return []
        }
    }

    /// A whole number of at least `minimum`; `012` is 12.
    mutating func integer(_ node: Node?, field: String, minimum: Int, meaning: String) -> Int? {
        guard let raw = scalarText(node, field: field, expected: "a whole number") else { return nil }
        let digits = raw.unicodeScalars.map { scalar -> Unicode.Scalar in
            (0xFF10...0xFF19).contains(scalar.value) ? Unicode.Scalar(scalar.value - 0xFF10 + 0x30)! : scalar
        }
        guard !digits.isEmpty, digits.count <= 9, digits.allSatisfy({ ("0"..."9").contains($0) }),
              let value = Int(String(String.UnicodeScalarView(digits))) else {
            error("'\(field)' must be a whole number (\(meaning)), found '\(raw)'", at: node)
            return nil
        }
        guard value >= minimum else {
            error("'\(field)' must be \(minimum) or more (\(meaning)), found \(value)", at: node)
            return nil
        }
        return value
    }

    /// A calendar date written `YYYY-MM-DD`.
    mutating func date(_ node: Node?, field: String) -> CalendarDate? {
        guard let raw = scalarText(node, field: field, expected: "a date") else { return nil }
        switch CalendarDate.parse(raw) {
        case .success(let date):
            return date
        case .failure(.malformed):
            error("'\(field)' must be a date written YYYY-MM-DD, such as 2017-03-07, found '\(raw)'", at: node)
        case .failure(.noSuchDay(let days)):
            let reason = days == 0 ? "there is no such month" : "that month has \(days) days"
            error("'\(field)': \(raw) is not a day on the calendar (\(reason))", at: node)
        }
        return nil
    }

    /// A number by the bulletin rules: `27093`, `27,093`, `989258.5`, `19.4万`, `1.2亿`.
    mutating func quantity(_ node: Node?, field: String) -> Quantity? {
        guard let raw = scalarText(node, field: field, expected: "a number") else { return nil }
        switch Quantity.parse(raw) {
        case .success(let quantity):
            return quantity
        case .failure(.misplacedThousandsSeparator):
            error("'\(field)': '\(raw)' has a misplaced thousands separator; write 27,093 or 27093", at: node)
        case .failure(.tooLarge):
            error("'\(field)': '\(raw)' is too large (at most 18 digits)", at: node)
        case .failure(.notANumber):
            error("'\(field)' must be a number such as 27093, 27,093, 989258.5 or 19.4万, found '\(raw)'", at: node)
        }
        return nil
    }

    /// `true` or `false`.
    mutating func bool(_ node: Node?, field: String) -> Bool? {
        guard let raw = scalarText(node, field: field, expected: "true or false") else { return nil }
        switch raw {
        case "true", "True", "TRUE": return true
        case "false", "False", "FALSE": return false
        default:
            error("'\(field)' must be true or false, found '\(raw)'", at: node)
            return nil
        }
    }

    /// A list of mappings, such as `stats` or `exemplars`.
    mutating func list(_ node: Node?, field: String) -> [Node] {
        guard !isNull(node), let node else { return [] }
        guard case .sequence(let sequence) = node else {
            error("'\(field)' must be a list of entries, each starting with '- ', found \(describe(node))", at: node)
            return []
        }
        return Array(sequence)
    }

    private mutating func scalarText(_ node: Node?, field: String, expected: String) -> String? {
        guard !isNull(node), let node else { return nil }
        guard case .scalar(let scalar) = node else {
            error("'\(field)' must be \(expected), found \(describe(node))", at: node)
            return nil
        }
        return scalar.string.trimmingWhitespace()
    }

    func describe(_ node: Node) -> String {
        switch node {
        case .scalar(let scalar): "'\(scalar.string)'"
        case .sequence: "a list"
        case .mapping: "a mapping"
        case .alias: "an alias"
        }
    }
}

extension String {
    func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        return String(scalars[first...last])
    }
}

/// Closest-match suggestions for misspelt keys.
enum Suggestion {
    /// The candidate within a small edit distance of `word`, if any.
    static func closest(to word: String, among candidates: [String]) -> String? {
        let limit = max(1, word.count / 3)
        let letters = Array(word.lowercased())
        var best: (candidate: String, distance: Int)?
        for candidate in candidates {
            let d = distance(letters, Array(candidate))
            guard d <= limit else { continue }
            if let current = best, current.distance <= d { continue }
            best = (candidate, d)
        }
        return best?.candidate
    }

    static func distance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        var previous = Array(0...b.count)
        for (i, x) in a.enumerated() {
            var current = [i + 1]
            for (j, y) in b.enumerated() {
                current.append(Swift.min(previous[j + 1] + 1, current[j] + 1, previous[j] + (x == y ? 0 : 1)))
            }
            previous = current
        }
        return previous[b.count]
    }
}
