import BulletinModel
import BulletinSupport

/// What a body's relative paths lead to: table files, linked files and images. The site build answers (it
/// knows the bulletin's folder, what may be published and where); without it, paths are left as written and
/// a table naming a file is an error.
public protocol BodyFileResolver: Sendable {
    /// The bytes of the table file `path` (as written in `file="…"`, relative to the bulletin file).
    func tableFile(_ path: String) -> Result<TableFile, BodyFileProblem>
    /// The address to publish in place of the link target `url`, or nil to leave it as written (not a
    /// relative path to a file).
    func link(_ url: String) -> Result<String?, BodyFileProblem>
    /// The published variants of the image `url`, or nil to leave it as written (not a relative path).
    func image(_ url: String) -> Result<PublishedImage?, BodyFileProblem>
}

/// A table file's bytes and its path as diagnostics show it.
public struct TableFile: Sendable {
    public var bytes: [UInt8]
    public var displayPath: String

    public init(bytes: [UInt8], displayPath: String) {
        self.bytes = bytes
        self.displayPath = displayPath
    }
}

/// Why a path in a body cannot be published or read: the message of an error at the path's place.
public struct BodyFileProblem: Error, Sendable, Equatable {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }
}

/// An image as published: its size (after EXIF orientation) and the addresses of its variants by width.
public struct PublishedImage: Sendable, Equatable {
    public struct Variant: Sendable, Equatable {
        public var url: String
        public var width: Int
        public var mimeType: String

        public init(url: String, width: Int, mimeType: String) {
            self.url = url
            self.width = width
            self.mimeType = mimeType
        }
    }

    /// The size of the largest variant: `width` and `height` of the `<img>`, which reserve its space.
    public var width: Int
    public var height: Int
    /// WebP variants, narrowest first.
    public var webp: [Variant]
    /// Variants in the original format (what browsers without WebP get), narrowest first.
    public var fallback: [Variant]

    public init(width: Int, height: Int, webp: [Variant], fallback: [Variant]) {
        self.width = width
        self.height = height
        self.webp = webp
        self.fallback = fallback
    }

    /// `<picture>` with a WebP source and the fallback `<img>`, lazily loaded, sized to the text column.
    func html(alt: String) -> String {
        let sizes = "(max-width: 48rem) 100vw, 48rem"
        func srcset(_ variants: [Variant]) -> String {
            variants.map { "\(HTMLText.escape($0.url)) \($0.width)w" }.joined(separator: ", ")
        }
        let fallbackImage = fallback.last.map { HTMLText.escape($0.url) } ?? ""
        var html = "<picture>"
        if !webp.isEmpty { html += "<source type=\"image/webp\" srcset=\"\(srcset(webp))\" sizes=\"\(sizes)\">" }
        html += "<img src=\"\(fallbackImage)\" srcset=\"\(srcset(fallback))\" sizes=\"\(sizes)\" width=\"\(width)\" height=\"\(height)\""
        html += " alt=\"\(HTMLText.escape(alt))\" loading=\"lazy\" decoding=\"async\"></picture>"
        return html
    }
}
