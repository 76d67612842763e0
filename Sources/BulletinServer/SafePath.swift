import Foundation

/// Maps request targets to files of the served folder, refusing anything that could reach outside it.
public enum SafePath {
    /// The regular file below `root` that the raw (percent-encoded) request `target` names: a folder means its
    /// `index.html`. Nil for `..` segments (encoded or not), backslashes, NUL, malformed encodings, symbolic links
    /// that lead outside `root`, and missing files.
    public static func resolve(_ target: String, root: URL) -> URL? {
        var path = target
        if let cut = path.firstIndex(where: { $0 == "?" || $0 == "#" }) { path = String(path[..<cut]) }
        guard path.hasPrefix("/"), let decoded = path.removingPercentEncoding,
              !decoded.contains("\0"), !decoded.contains("\\") else { return nil }
        var segments: [String] = []
        for segment in decoded.split(separator: "/", omittingEmptySubsequences: true) {
            if segment == "." { continue }
            if segment == ".." || segment.hasPrefix("..") && segment.allSatisfy({ $0 == "." }) { return nil }
            segments.append(String(segment))
        }
        let base = root.standardizedFileURL.resolvingSymlinksInPath()
        var candidate = segments.reduce(base) { $0.appending(path: $1) }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDirectory) else { return nil }
        if isDirectory.boolValue { candidate = candidate.appending(path: "index.html") }
        let real = candidate.resolvingSymlinksInPath()
        guard real.path.hasPrefix(base.path + "/"),
              (try? real.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true else { return nil }
        return real
    }

    /// The Content-Type of a served file, by its extension.
    public static func contentType(of url: URL) -> String {
        switch url.pathExtension.lowercased() {
        case "html", "htm": "text/html; charset=utf-8"
        case "txt": "text/plain; charset=utf-8"
        case "css": "text/css; charset=utf-8"
        case "js": "text/javascript; charset=utf-8"
        case "json": "application/json"
        case "csv": "text/csv; charset=utf-8"
        case "xml": url.lastPathComponent == "feed.xml" ? "application/atom+xml; charset=utf-8" : "application/xml; charset=utf-8"
        case "svg": "image/svg+xml"
        case "png": "image/png"
        case "jpg", "jpeg": "image/jpeg"
        case "gif": "image/gif"
        case "webp": "image/webp"
        case "ico": "image/x-icon"
        case "pdf": "application/pdf"
        case "woff2": "font/woff2"
        default: "application/octet-stream"
        }
    }
}
