import BulletinModel
import Foundation

/// Checks every link of a built site: `href`, `src` and each `srcset` candidate in pages, links and `<loc>` in the
/// feed and sitemap.
/// Internal targets must exist (a folder means its `index.html`) and fragments must name an `id` in the target
/// page. External links are not fetched.
public enum LinkChecker {
    /// Problems in the site in `output`; `baseURL` makes absolute links to the site itself internal. Files are
    /// named in diagnostics as `displayPrefix` + their path in the output.
    public static func check(output: URL, baseURL: String?, displayPrefix: String) -> [Diagnostic] {
        let root = output.standardizedFileURL
        let files = allFiles(under: root)
        let fileSet = Set(files)
        var ids: [String: Set<String>] = [:]
        func idsOf(_ path: String) -> Set<String> {
            if let cached = ids[path] { return cached }
            let found = Set(attributes(named: ["id"], in: read(root, path)).map(\.value))
            ids[path] = found
            return found
        }
        let basePath = baseURL.flatMap { URL(string: $0)?.path }.map { $0.hasSuffix("/") ? $0 : $0 + "/" } ?? "/"
        var diagnostics: [Diagnostic] = []
        for path in files where path.hasSuffix(".html") || path.hasSuffix(".xml") {
            let bytes = read(root, path)
            var links = attributes(named: ["href", "src"], in: bytes)
            for set in attributes(named: ["srcset"], in: bytes) {
                // `a-480.webp 480w, a-960.webp 960w`: each candidate's address, at the attribute's place.
                links += set.value.split(separator: ",").compactMap { candidate in
                    candidate.split(separator: " ").first.map { Found(value: String($0), line: set.line, column: set.column) }
                }
            }
            if path.hasSuffix(".xml") { links += elements(named: "loc", in: bytes) }
            let display = displayPrefix + path
            for link in links {
                guard let target = resolve(link.value, from: path, baseURL: baseURL, basePath: basePath) else { continue }
                let location = SourceLocation(file: display, line: link.line, column: link.column)
                guard let file = target.path.flatMap({ existing($0, in: fileSet) }) else {
                    diagnostics.append(.error("broken link '\(link.value)': \(target.path.map { "no file \(displayPrefix)\($0)" } ?? "it leads outside the site")",
                                              at: location))
                    continue
                }
                if let fragment = target.fragment, !fragment.isEmpty, file.hasSuffix(".html"), !idsOf(file).contains(fragment) {
                    diagnostics.append(.error("broken link '\(link.value)': \(displayPrefix)\(file) has no element with id '\(fragment)'",
                                              at: location))
                }
            }
        }
        return diagnostics
    }

    struct Found {
        var value: String
        var line: Int
        var column: Int
    }

    /// Values of the named attributes (double- or single-quoted), with `&amp;` decoded.
    static func attributes(named names: [String], in bytes: [UInt8]) -> [Found] {
        var found: [Found] = []
        let patterns = names.map { Array("\($0)=".utf8) }
        var line = 1, lineStart = 0
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 0x0A {
                line += 1
                lineStart = index + 1
            }
            guard byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == 0x0A else {
                index += 1
                continue
            }
            let nameStart = index + 1
            for pattern in patterns where bytes.count > nameStart + pattern.count
                && bytes[nameStart..<(nameStart + pattern.count)].elementsEqual(pattern) {
                let quote = bytes[nameStart + pattern.count]
                guard quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") else { continue }
                let start = nameStart + pattern.count + 1
                guard let end = bytes[start...].firstIndex(of: quote) else { continue }
                let value = String(decoding: bytes[start..<end], as: UTF8.self).replacingOccurrences(of: "&amp;", with: "&")
                let column = String(decoding: bytes[lineStart..<start], as: UTF8.self).unicodeScalars.count + 1
                found.append(Found(value: value, line: line, column: column))
                index = end
                break
            }
            index += 1
        }
        return found
    }

    /// Text of `<name>…</name>` elements.
    static func elements(named name: String, in bytes: [UInt8]) -> [Found] {
        let text = String(decoding: bytes, as: UTF8.self)
        var found: [Found] = []
        for (offset, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var rest = line[...]
            while let open = rest.range(of: "<\(name)>"), let close = rest[open.upperBound...].range(of: "</\(name)>") {
                let column = line.unicodeScalars.distance(from: line.startIndex, to: open.upperBound) + 1
                found.append(Found(value: String(rest[open.upperBound..<close.lowerBound]).replacingOccurrences(of: "&amp;", with: "&"),
                                   line: offset + 1, column: column))
                rest = rest[close.upperBound...]
            }
        }
        return found
    }

    /// Where a link leads inside the site: a path below the output (nil when it escapes the site) and a
    /// fragment; nil for external links and links to the page itself.
    static func resolve(_ link: String, from page: String, baseURL: String?, basePath: String) -> (path: String?, fragment: String?)? {
        var reference = link
        if let base = baseURL, reference.hasPrefix(base) {
            reference = basePath + reference.dropFirst(base.count)
        } else if reference.hasPrefix("//") || reference.range(of: "^[A-Za-z][A-Za-z0-9+.-]*:", options: .regularExpression) != nil {
            return nil
        }
        var fragment: String?
        if let hash = reference.firstIndex(of: "#") {
            fragment = String(reference[reference.index(after: hash)...]).removingPercentEncoding
            reference = String(reference[..<hash])
        }
        if let query = reference.firstIndex(of: "?") { reference = String(reference[..<query]) }
        guard let decoded = reference.removingPercentEncoding else { return (nil, fragment) }
        let pageDirectory = page.split(separator: "/").dropLast().map(String.init)
        var segments: [String]
        if decoded.isEmpty {
            return fragment == nil ? nil : (page, fragment)
        } else if decoded.hasPrefix("/") {
            guard decoded.hasPrefix(basePath) || decoded + "/" == basePath else { return (nil, fragment) }
            segments = []
            reference = String(decoded.dropFirst(min(decoded.count, basePath.count)))
        } else {
            segments = pageDirectory
            reference = decoded
        }
        for segment in reference.split(separator: "/", omittingEmptySubsequences: false) {
            switch segment {
            case "", ".": continue
            case "..":
                if segments.isEmpty { return (nil, fragment) }
                segments.removeLast()
            default: segments.append(String(segment))
            }
        }
        let isFolder = reference.isEmpty || reference.hasSuffix("/")
        return (segments.joined(separator: "/") + (isFolder ? (segments.isEmpty ? "" : "/") : ""), fragment)
    }

    /// The file a resolved path names: itself, or its `index.html` for a folder.
    private static func existing(_ path: String, in files: Set<String>) -> String? {
        if !path.isEmpty && !path.hasSuffix("/") && files.contains(path) { return path }
        let index = (path.isEmpty || path.hasSuffix("/") ? path : path + "/") + "index.html"
        return files.contains(index) ? index : nil
    }

    private static func allFiles(under root: URL) -> [String] {
        guard let enumerator = FileManager.default.enumerator(
            at: root, includingPropertiesForKeys: [.isRegularFileKey], options: [.skipsHiddenFiles]) else { return [] }
        var files: [String] = []
        for case let url as URL in enumerator where (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
            files.append(String(url.standardizedFileURL.path.dropFirst(root.path.count + 1)))
        }
        return files.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    private static func read(_ root: URL, _ path: String) -> [UInt8] {
        (FileManager.default.contents(atPath: root.appending(path: path).path)).map(Array.init) ?? []
    }
}
