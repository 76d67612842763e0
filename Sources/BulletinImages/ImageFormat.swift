/// An image format Bulletin reads and writes.
public enum ImageFormat: String, Sendable, Codable, CaseIterable {
    case jpeg, png, webp, gif

    /// The format a file name extension stands for ("JPG", "jpeg", "png", …), or nil.
    public init?(fileExtension: String) {
        switch fileExtension.lowercased() {
        case "jpg", "jpeg": self = .jpeg
        case "png": self = .png
        case "webp": self = .webp
        case "gif": self = .gif
        default: return nil
        }
    }

    /// The format read by a libvips loader ("jpegload_buffer"), or nil for the formats Bulletin does not take.
    init?(loader: String) {
        switch loader {
        case "jpegload_buffer": self = .jpeg
        case "pngload_buffer": self = .png
        case "webpload_buffer": self = .webp
        case "gifload_buffer": self = .gif
        default: return nil
        }
    }

    /// The extension Bulletin gives files in this format.
    public var fileExtension: String { self == .jpeg ? "jpg" : rawValue }

    /// The media type ("image/jpeg").
    public var mediaType: String { "image/\(rawValue)" }
}
