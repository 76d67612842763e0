/// A position in a source file: 1-based line and column (columns count Unicode scalars).
public struct SourceLocation: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The file as shown to users, relative to the site folder where possible.
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    public var description: String { "\(file):\(line):\(column)" }

    public static func < (lhs: SourceLocation, rhs: SourceLocation) -> Bool {
        (lhs.file.utf8.lexicographicallyPrecedes(rhs.file.utf8) && lhs.file != rhs.file)
            || (lhs.file == rhs.file && (lhs.line, lhs.column) < (rhs.line, rhs.column))
    }
}

/// One problem found in the input, with where it is and what was expected.
public struct Diagnostic: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Severity: String, Sendable, Comparable {
        case warning, error

        public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs == .warning && rhs == .error }
    }

    public var severity: Severity
    /// Where the problem is; nil for problems that concern no single file.
    public var location: SourceLocation?
    public var message: String
    /// The text of the offending source line, shown under the message with a caret.
    public var sourceLine: String?

    public init(_ severity: Severity, _ message: String, at location: SourceLocation? = nil, sourceLine: String? = nil) {
        self.severity = severity
        self.location = location
        self.message = message
        self.sourceLine = sourceLine
    }

    public static func error(_ message: String, at location: SourceLocation? = nil, sourceLine: String? = nil) -> Diagnostic {
        Diagnostic(.error, message, at: location, sourceLine: sourceLine)
    }

    public static func warning(_ message: String, at location: SourceLocation? = nil, sourceLine: String? = nil) -> Diagnostic {
        Diagnostic(.warning, message, at: location, sourceLine: sourceLine)
    }

    /// The first line of the compiler-style form: `path:line:column: error: message`.
    public var description: String {
        if let location { return "\(location): \(severity.rawValue): \(message)" }
        return "\(severity.rawValue): \(message)"
    }

    /// The full compiler-style form: the summary line, then the source line and a caret under the column,
    /// aligned by display width so it points at the right character in CJK text.
    public var rendered: String {
        guard let sourceLine, let location else { return description }
        let prefix = sourceLine.unicodeScalars.prefix(max(0, location.column - 1))
        let padding = prefix.map { $0 == "\t" ? "\t" : String(repeating: " ", count: DisplayWidth.of($0)) }.joined()
        return "\(description)\n    \(sourceLine)\n    \(padding)^"
    }
}

extension Array where Element == Diagnostic {
    /// Whether any diagnostic is an error.
    public var hasErrors: Bool { contains { $0.severity == .error } }

    /// Diagnostics in a total order: by file, line, column, then severity and message.
    public func sortedForOutput() -> [Diagnostic] {
        sorted { a, b in
            switch (a.location, b.location) {
            case let (l?, r?) where l != r: return l < r
            case (nil, _?): return true
            case (_?, nil): return false
            default:
                if a.severity != b.severity { return a.severity > b.severity }
                return a.message.utf8.lexicographicallyPrecedes(b.message.utf8)
            }
        }
    }
}

/// Diagnostics carried as an error: the problems that stopped an operation.
public struct DiagnosticList: Error, Sendable {
    public var items: [Diagnostic]

    public init(_ items: [Diagnostic]) {
        self.items = items
    }
}
