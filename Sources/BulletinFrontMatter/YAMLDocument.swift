import BulletinModel
import Yams

/// Parses front-matter YAML into a node tree with the YAML 1.2 failsafe view (every scalar a string, read
/// later by our own rules), and turns YAML errors into diagnostics located in the file.
struct YAMLDocument {
    let source: SourceText
    /// File line of the YAML's first line.
    let firstLine: Int

    /// The root node, or the diagnostics that prevented parsing. An empty document gives an empty mapping.
    func parse(_ yaml: String) -> (root: Node?, diagnostics: [Diagnostic]) {
        let lint = YAMLLint.check(yaml, firstLine: firstLine, in: source)
        if lint.hasErrors { return (nil, lint) }
        do {
            // An explicit encoding spares Yams a look at the environment on every parse.
            let parser = try Parser(yaml: yaml, resolver: .basic, encoding: .utf8)
            guard let root = try parser.singleRoot() else { return (Node.mapping(.init([])), lint) }
            let mayHaveAnchors = yaml.utf8.contains { $0 == UInt8(ascii: "&") || $0 == UInt8(ascii: "*") }
            if mayHaveAnchors, let anchored = firstAnchoredNode(root) {
                return (nil, [diagnostic(
                    "YAML anchors and aliases ('&name', '*name') are not allowed in front matter; write each value out in full",
                    at: anchored.mark)])
            }
            return (root, lint)
        } catch let error as YamlError {
            return (nil, [diagnostic(for: error, yaml: yaml)])
        } catch {
            return (nil, [source.diagnostic(.error, "invalid YAML: \(error)", line: firstLine, column: 1)])
        }
    }

    /// A diagnostic at a YAML mark, shifted to the file's line numbers.
    func diagnostic(_ message: String, at mark: Mark?, severity: Diagnostic.Severity = .error) -> Diagnostic {
        diagnostic(message, line: mark?.line ?? 1, column: mark?.column ?? 1, severity: severity)
    }

    /// A diagnostic at a 1-based YAML line and column, shifted to the file's line numbers.
    func diagnostic(_ message: String, line: Int, column: Int, severity: Diagnostic.Severity = .error) -> Diagnostic {
        source.diagnostic(severity, message, line: line + firstLine - 1, column: column)
    }

    private func firstAnchoredNode(_ root: Node) -> Node? {
        var stack = [root]
        while let node = stack.popLast() {
            if node.anchor != nil { return node }
            switch node {
            case .mapping(let mapping): stack.append(contentsOf: mapping.reversed().flatMap { [$0.value, $0.key] })
            case .sequence(let sequence): stack.append(contentsOf: sequence.reversed())
            default: break
            }
        }
        return nil
    }

    private func diagnostic(for error: YamlError, yaml: String) -> Diagnostic {
        switch error {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _),
             let .composer(context, problem, mark, _):
            let detail = context.map { " \($0.text)" } ?? ""
            return diagnostic("invalid YAML: \(problem)\(detail)\(hint(problem: problem, mark: mark, yaml: yaml))",
                              at: mark)
        case let .duplicatedKeysInMapping(duplicates, context):
            let key = duplicates.first ?? ""
            let first = context.mark
            let second = laterOccurrence(ofKey: key, after: first, in: yaml) ?? (first.line, first.column)
            return diagnostic(
                "duplicate key '\(key)': it is already set on line \(first.line + firstLine - 1); "
                    + "a key may appear only once in a mapping", line: second.line, column: second.column)
        case let .reader(problem, _, _, _):
            return diagnostic("unreadable YAML: \(problem)", at: nil)
        default:
            return diagnostic("invalid YAML: \(error)", at: nil)
        }
    }

    private func hint(problem: String, mark: Mark, yaml: String) -> String {
        let lines = yaml.split(separator: "\n", omittingEmptySubsequences: false)
        guard mark.line >= 1, mark.line <= lines.count else { return "" }
        let line = lines[mark.line - 1]
        if problem.contains("mapping values are not allowed") {
            return " (a value that contains ': ' must be quoted, as in title: \"…\")"
        }
        if line.contains("：") && !line.contains(":") {
            return " (use an ASCII colon ':' instead of '：')"
        }
        return ""
    }

    /// The mark of the second `key:` at the same indentation after `first`.
    private func laterOccurrence(ofKey key: String, after first: Mark, in yaml: String) -> (line: Int, column: Int)? {
        let lines = yaml.split(separator: "\n", omittingEmptySubsequences: false)
        guard first.line >= 1, first.line <= lines.count else { return nil }
        let column = first.column
        for index in first.line..<lines.count {
            let scalars = Array(lines[index].unicodeScalars)
            guard scalars.count >= column else { continue }
            let rest = String(String.UnicodeScalarView(scalars[(column - 1)...]))
            if rest.hasPrefix(key + ":") || rest.hasPrefix("\"\(key)\":") || rest.hasPrefix("'\(key)':") {
                return (index + 1, column)
            }
        }
        return nil
    }
}
