#if canImport(Glibc)
import Glibc
#endif

/// A position in a source file: 1-based line and column (columns count Unicode scalars).
public struct SourceLocation: Hashable, Sendable, Comparable, Codable, CustomStringConvertible {
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

    /// Files in the order of their bytes, then lines and columns.
    public static func < (lhs: SourceLocation, rhs: SourceLocation) -> Bool { order(lhs, rhs) < 0 }

    /// Negative, zero or positive as `lhs` comes before, at or after `rhs`: files compared as bytes (one pass,
    /// no Unicode normalisation), then lines and columns.
    static func order(_ lhs: SourceLocation, _ rhs: SourceLocation) -> Int {
        var left = lhs.file, right = rhs.file
        let files = left.withUTF8 { a in
            right.withUTF8 { b -> Int in
                let common = min(a.count, b.count)
                let order = common == 0 ? 0 : Int(memcmp(a.baseAddress!, b.baseAddress!, common))
                return order != 0 ? order : a.count - b.count
            }
        }
        if files != 0 { return files }
        return lhs.line != rhs.line ? lhs.line - rhs.line : lhs.column - rhs.column
    }
}

/// One problem found in the input, with where it is and what was expected.
public struct Diagnostic: Error, Hashable, Sendable, Codable, CustomStringConvertible {
    public enum Severity: String, Sendable, Comparable, Codable {
        case warning, error

        public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs == .warning && rhs == .error }
    }

    public var severity: Severity
    /// Where the problem is; nil for problems that concern no single file.
    public var location: SourceLocation?
    public var message: String
    /// The text of the offending source line, shown under the message with a caret.
    public var sourceLine: String?
    /// Whether `sourceLine` is still to be read from the file (`readingSourceLines`).
    public var sourceLineToRead: Bool

    public init(_ severity: Severity, _ message: String, at location: SourceLocation? = nil, sourceLine: String? = nil) {
        self.severity = severity
        self.location = location
        self.message = message
        self.sourceLine = sourceLine
        sourceLineToRead = false
    }

    /// A diagnostic at `location` whose source line, when `sourceLineToRead`, is read from the file when it is
    /// reported.
    public init(_ severity: Severity, _ message: String, at location: SourceLocation, sourceLineToRead: Bool) {
        self.init(severity, message, at: location)
        self.sourceLineToRead = sourceLineToRead
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
        // Indices are sorted, not the diagnostics, and compared through pointers: moving and copying these large
        // values was most of the sort's time.
        withUnsafeBufferPointer { diagnostics in
            guard let first = diagnostics.baseAddress else { return [] }
            return indices.sorted { Diagnostic.precedes(first + $0, first + $1) }.map { diagnostics[$0] }
        }
    }
}

extension Diagnostic {
    /// Whether `a` comes before `b` in the order of `sortedForOutput`.
    static func precedes(_ a: UnsafePointer<Diagnostic>, _ b: UnsafePointer<Diagnostic>) -> Bool {
        switch (a.pointee.location, b.pointee.location) {
        case let (left?, right?):
            let order = SourceLocation.order(left, right)
            if order != 0 { return order < 0 }
        case (nil, _?): return true
        case (_?, nil): return false
        case (nil, nil): break
        }
        if a.pointee.severity != b.pointee.severity { return a.pointee.severity > b.pointee.severity }
        return a.pointee.message.utf8.lexicographicallyPrecedes(b.pointee.message.utf8)
    }
}

/// Diagnostics carried as an error: the problems that stopped an operation.
public struct DiagnosticList: Error, Sendable {
    public var items: [Diagnostic]

    public init(_ items: [Diagnostic]) {
        self.items = items
    }
}

extension Diagnostic {
    /// The compiler-style form with ANSI colours: severity in red or yellow, the location bold, the caret green.
    public var renderedInColor: String {
        let bold = "\u{1B}[1m", reset = "\u{1B}[0m"
        let color = severity == .error ? "\u{1B}[1;31m" : "\u{1B}[1;33m"
        var head = "\(color)\(severity.rawValue):\(reset) \(bold)\(message)\(reset)"
        if let location { head = "\(bold)\(location):\(reset) " + head }
        guard let sourceLine, let location else { return head }
        let prefix = sourceLine.unicodeScalars.prefix(max(0, location.column - 1))
        let padding = prefix.map { $0 == "\t" ? "\t" : String(repeating: " ", count: DisplayWidth.of($0)) }.joined()
        return "\(head)\n    \(sourceLine)\n    \(padding)\u{1B}[1;32m^\(reset)"
    }

    /// A GitHub Actions workflow command: `::error file=…,line=…,col=…::message`.
    public var githubAnnotation: String {
        func escapeData(_ text: String) -> String {
            text.replacingAll("%", with: "%25").replacingAll("\r", with: "%0D").replacingAll("\n", with: "%0A")
        }
        func escapeProperty(_ text: String) -> String {
            escapeData(text).replacingAll(":", with: "%3A").replacingAll(",", with: "%2C")
        }
        var properties: [String] = []
        if let location {
            properties = ["file=\(escapeProperty(location.file))", "line=\(location.line)", "col=\(location.column)"]
        }
        let command = severity == .error ? "error" : "warning"
        return "::\(command)\(properties.isEmpty ? "" : " " + properties.joined(separator: ","))::\(escapeData(message))"
    }

    /// One JSON object: `{"column":…,"file":…,"line":…,"message":…,"severity":…}` (keys sorted, no location keys
    /// when there is no location).
    public var jsonObject: String {
        var fields: [(String, String)] = []
        if let location {
            fields += [("column", "\(location.column)"), ("file", jsonString(location.file)), ("line", "\(location.line)")]
        }
        fields += [("message", jsonString(message)), ("severity", jsonString(severity.rawValue))]
        return "{" + fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
    }

    private func jsonString(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }
}

extension String {
    /// Every occurrence of `target` replaced (on Unicode scalars, without Foundation).
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard let first = target.unicodeScalars.first else { return self }
        var result = String.UnicodeScalarView()
        let scalars = Array(unicodeScalars), pattern = Array(target.unicodeScalars)
        var index = 0
        while index < scalars.count {
            if scalars[index] == first, index + pattern.count <= scalars.count,
               Array(scalars[index..<(index + pattern.count)]) == pattern {
                result.append(contentsOf: replacement.unicodeScalars)
                index += pattern.count
            } else {
                result.append(scalars[index])
                index += 1
            }
        }
        return String(result)
    }
}
