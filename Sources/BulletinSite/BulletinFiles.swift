import BulletinAggregates
import BulletinMarkdown
import BulletinModel
import BulletinSupport
import Crypto
import Foundation

/// A file published beside a bulletin's page: an attachment, a file the body links to, or a variant of an image.
struct PublishedFile: Codable, Sendable, Hashable {
    enum Kind: String, Codable, Sendable {
        /// Listed under `attachments:` in the front matter (附件).
        case attachment
        /// Linked from the body only.
        case linked
        /// A variant of an image, made from `source`.
        case image
    }

    var kind: Kind
    /// The source file as diagnostics show it (relative to the site folder).
    var source: String
    /// Where it is published, relative to the bulletin's page folder (`files/排名.xlsx`, `images/photo-480.webp`).
    var path: String
    var size: Int
    /// SHA-256 of the published bytes, in hex.
    var sha256: String
    /// The attachment's title (for attachments).
    var title: String?

    /// Its type and size as the 附件说明 gives them: `XLSX，12 KB`.
    var note: String {
        let type = FileType.fileExtension(path)?.uppercased() ?? "文件"
        let size = switch size {
        case ..<1024: "\(size) B"
        case ..<(1024 * 1024): "\((size + 512) / 1024) KB"
        default: String(format: "%.1f MB", Double(size) / 1_048_576)
        }
        return "\(type)，\(size)"
    }
}

/// A file a bulletin's pages are made from besides the bulletin file itself (a table's CSV, an image, an
/// attachment): a bulletin is parsed again when one of them changes.
struct SourceDependency: Codable, Sendable, Hashable {
    /// Relative to the site folder.
    var path: String
    var stamp: SourceStamp?
    /// Digest of the file's bytes.
    var digest: UInt64
}

/// The site a bulletin is read in: where its files are looked for and where images are processed.
struct SiteFiles: Sendable {
    /// Absolute and standardised.
    let siteDirectory: String
    /// `content/` with symbolic links resolved: no file outside it is read.
    let contentDirectory: String
    let images: ImageStore
    /// The largest table file read, in bytes: the site's limit for a bulletin file (`max_file_size`).
    let maxTableFileSize: Int

    init(siteDirectory: URL, images: ImageStore, maxTableFileSize: Int = ContentLoader.maximumFileSize) {
        self.siteDirectory = siteDirectory.standardizedFileURL.path
        contentDirectory = siteDirectory.appending(path: "content").standardizedFileURL.resolvingSymlinksInPath().path
        self.images = images
        self.maxTableFileSize = maxTableFileSize
    }

    /// The path of a file as diagnostics show it: relative to the site folder.
    func displayPath(_ absolute: String) -> String {
        absolute.hasPrefix(siteDirectory + "/") ? String(absolute.dropFirst(siteDirectory.count + 1)) : absolute
    }

    /// The resolver of the relative paths in the body of the bulletin at `displayPath`.
    func resolver(forBulletinAt displayPath: String) -> BulletinFileResolver {
        let file = displayPath.hasPrefix("/") ? displayPath : siteDirectory + "/" + displayPath
        return BulletinFileResolver(site: self, folder: (file as NSString).deletingLastPathComponent)
    }
}

/// What may be published from a bulletin's folder, by file extension (the contract's "Images and attachments").
enum FileType {
    static let images: Set<String> = ["jpg", "jpeg", "png", "webp", "gif"]
    static let attachments: Set<String> = ["pdf", "docx", "xlsx", "xls", "doc", "wps", "csv", "zip"]
    /// Files a browser would run as part of the site if they were served from its origin.
    static let active: Set<String> = [
        "html", "htm", "xhtml", "shtml", "svg", "svgz", "xml", "xsl", "js", "mjs", "css", "swf", "exe", "msi", "bat", "cmd", "com", "scr",
        "ps1", "sh", "jar", "vbs", "wsf", "hta", "php", "jsp", "asp", "aspx", "cgi", "pl", "py", "dll", "apk", "dmg",
    ]

    /// The lower-cased extension of the last path segment, nil when it has none.
    static func fileExtension(_ path: String) -> String? {
        let name = path.split(separator: "/").last ?? ""
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex, name.index(after: dot) != name.endIndex else { return nil }
        return name[name.index(after: dot)...].lowercased()
    }

    static var allowedList: String {
        (["JPEG", "PNG", "WebP", "GIF"] + attachments.sorted().map { $0.uppercased() }).joined(separator: ", ")
    }
}

/// Resolves the relative paths of one bulletin's body: table files are read, linked files and images must be
/// inside `content/` and of a type the site publishes; each becomes its address below the bulletin's page.
struct BulletinFileResolver: BodyFileResolver {
    let site: SiteFiles
    /// The folder of the bulletin file, absolute.
    let folder: String

    /// The folder below a bulletin's page that attachments and linked files are published in.
    static let filesFolder = "files/"
    /// The folder below a bulletin's page that image variants are published in.
    static let imagesFolder = "images/"

    /// A path written in the body (percent-escapes decoded, `#…` and `?…` dropped) as an existing regular file
    /// inside `content/`: its absolute path, or what is wrong with it.
    func locate(_ written: String) -> Result<String, BodyFileProblem> {
        let path = Self.pathPart(written)
        let decoded = path.removingPercentEncoding ?? path
        let joined = URL(fileURLWithPath: folder + "/" + decoded).standardizedFileURL
        let real = joined.resolvingSymlinksInPath().path
        guard real.hasPrefix(site.contentDirectory + "/") else {
            return .failure(BodyFileProblem("'\(written)' leads outside content/: a bulletin's files live beside it, "
                                            + "in the folder named after the bulletin file"))
        }
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: real, isDirectory: &isFolder) else {
            return .failure(BodyFileProblem("'\(written)' does not exist (looked for \(site.displayPath(joined.path)))"))
        }
        guard !isFolder.boolValue else { return .failure(BodyFileProblem("'\(written)' is a folder, not a file")) }
        return .success(joined.path)
    }

    func tableFile(_ path: String) -> Result<TableFile, BodyFileProblem> {
        guard Self.isRelativePath(path) else {
            return .failure(BodyFileProblem("file=\"\(path)\" must be a path relative to the bulletin file, such as 305/排名.csv"))
        }
        return locate(path).flatMap { absolute in
            let display = site.displayPath(absolute)
            switch ContentLoader.readBytes(absolute, displayPath: display, limit: site.maxTableFileSize) {
            case .failure:
                return .failure(BodyFileProblem("cannot read the table file '\(path)'"))
            case .success(let bytes) where bytes.count > site.maxTableFileSize:
                return .failure(BodyFileProblem("the table file '\(path)' is larger than \(site.maxTableFileSize) bytes, the limit for a "
                                                + "bulletin's files (max_file_size in site.yaml)"))
            case .success(let bytes):
                return .success(TableFile(bytes: bytes, displayPath: display))
            }
        }
    }

    func link(_ url: String) -> Result<String?, BodyFileProblem> {
        guard Self.isRelativePath(url), let type = FileType.fileExtension(Self.pathPart(url)) else { return .success(nil) }
        if FileType.images.contains(type) {
            return image(url).map { $0?.fallback.last?.url }
        }
        if let problem = Self.refusal(url, type: type) { return .failure(problem) }
        guard FileType.attachments.contains(type) else {
            // A path to something that is not a file here (a page of the site) stays as written.
            guard case .success = locate(url) else { return .success(nil) }
            return .failure(BodyFileProblem("'\(url)' is not a type of file bulletins publish (\(FileType.allowedList))"))
        }
        // Written as the file is named: libcmark percent-encodes the address in the HTML.
        return locate(url).map { absolute in Self.filesFolder + (absolute as NSString).lastPathComponent + Self.suffix(url) }
    }

    func image(_ url: String) -> Result<PublishedImage?, BodyFileProblem> {
        guard Self.isRelativePath(url) else { return .success(nil) }
        let type = FileType.fileExtension(Self.pathPart(url)) ?? ""
        if let problem = Self.refusal(url, type: type) { return .failure(problem) }
        guard FileType.images.contains(type) else {
            return .failure(BodyFileProblem("'\(url)' is not an image the site publishes (JPEG, PNG, WebP or GIF)"))
        }
        return locate(url).flatMap { absolute in
            site.images.publish(absolute, displayPath: site.displayPath(absolute)).map { Optional($0.published) }
        }
    }

    /// Why a file of `type` is never published, or nil.
    static func refusal(_ url: String, type: String) -> BodyFileProblem? {
        guard FileType.active.contains(type) else { return nil }
        return BodyFileProblem("'\(url)' is not published: a .\(type) file served from the site's own address would run as part of "
                               + "the site; bulletins publish \(FileType.allowedList)")
    }

    /// Whether `url` is a relative path (no scheme, not from the root, not only a fragment or query).
    static func isRelativePath(_ url: String) -> Bool {
        guard let first = url.first, first != "/", first != "#", first != "?", first != "\\" else { return false }
        let beforeSlash = url.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        return !beforeSlash.contains(":")
    }

    /// The path of a URL without its query and fragment.
    static func pathPart(_ url: String) -> String {
        String(url.prefix { $0 != "?" && $0 != "#" })
    }

    /// The query and fragment of a URL (`#page=2`), kept on the published address.
    static func suffix(_ url: String) -> String {
        String(url.dropFirst(pathPart(url).count))
    }
}

/// The files a bulletin publishes and depends on, from its body and its `attachments:`.
enum BulletinFiles {
    /// The files published beside the page of `bulletin` (attachments in order, then the body's other links,
    /// then image variants) and the files its pages are made from; errors where a path is written.
    static func collect(_ bulletin: Bulletin, body: RenderedMarkdown, resolver: BulletinFileResolver)
        -> (files: [PublishedFile], dependencies: [SourceDependency], diagnostics: [Diagnostic]) {
        var files: [PublishedFile] = [], dependencies: [SourceDependency] = [], diagnostics: [Diagnostic] = []
        var published: [String: String] = [:]  // published path → source
        var seen: Set<String> = []
        func depend(on absolute: String) -> [UInt8]? {
            guard let data = FileManager.default.contents(atPath: absolute) else { return nil }
            let bytes = Array(data)
            let display = resolver.site.displayPath(absolute)
            if seen.insert(display).inserted {
                dependencies.append(SourceDependency(path: display, stamp: SourceStamp(path: absolute), digest: ContentLoader.digest(bytes)))
            }
            return bytes
        }
        func publish(_ absolute: String, kind: PublishedFile.Kind, title: String?, at location: SourceLocation) {
            let display = resolver.site.displayPath(absolute)
            let path = BulletinFileResolver.filesFolder + (absolute as NSString).lastPathComponent
            if let other = published[path] {
                if other != display {
                    diagnostics.append(.error("'\(display)' and '\(other)' would both be published as \(path) beside the page: rename one",
                                              at: location))
                }
                return
            }
            guard let bytes = depend(on: absolute) else {
                diagnostics.append(.error("cannot read '\(display)'", at: location))
                return
            }
            published[path] = display
            files.append(PublishedFile(kind: kind, source: display, path: path, size: bytes.count, sha256: sha256(bytes), title: title))
        }
        for attachment in bulletin.attachments {
            let location = attachment.origin?.location ?? SourceLocation(file: bulletin.sourcePath, line: 1, column: 1)
            let type = FileType.fileExtension(attachment.file) ?? ""
            let problem: BodyFileProblem? = if !BulletinFileResolver.isRelativePath(attachment.file) {
                BodyFileProblem("attachment '\(attachment.file)' must be a path relative to the bulletin file, such as 305/排名.xlsx")
            } else if let refusal = BulletinFileResolver.refusal(attachment.file, type: type) {
                refusal
            } else if FileType.images.contains(type) {
                BodyFileProblem("attachment '\(attachment.file)' is an image: show photos in the body with ![what it shows](\(attachment.file))")
            } else if !FileType.attachments.contains(type) {
                BodyFileProblem("attachment '\(attachment.file)' is not a type of file bulletins publish (\(FileType.allowedList))")
            } else {
                nil
            }
            if let problem {
                diagnostics.append(.error(problem.message, at: location))
                continue
            }
            switch resolver.locate(attachment.file) {
            case .success(let absolute): publish(absolute, kind: .attachment, title: attachment.title, at: location)
            case .failure(let problem): diagnostics.append(.error(problem.message, at: location))
            }
        }
        for linked in body.linkedFiles {
            guard case .success(let absolute) = resolver.locate(linked.path) else { continue }
            switch linked.kind {
            case .link where !FileType.images.contains(FileType.fileExtension(linked.path) ?? ""):
                publish(absolute, kind: .linked, title: nil, at: linked.location)
            case .link, .image:
                _ = depend(on: absolute)
                let source = resolver.site.displayPath(absolute)
                guard case .success(let image) = resolver.site.images.publish(absolute, displayPath: source) else { continue }
                for variant in image.variants {
                    if let other = published[variant.path] {
                        if other != source {
                            diagnostics.append(.error("'\(source)' and '\(other)' would both be published as \(variant.path) beside the page: "
                                                      + "rename one", at: linked.location))
                        }
                        continue
                    }
                    published[variant.path] = source
                    files.append(PublishedFile(kind: .image, source: source, path: variant.path, size: variant.size, sha256: variant.sha256,
                                               title: nil))
                }
            case .table:
                _ = depend(on: absolute)
            }
        }
        return (files, dependencies, diagnostics)
    }

    /// SHA-256 of `bytes` in lower-case hex.
    static func sha256(_ bytes: [UInt8]) -> String {
        SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }
}
