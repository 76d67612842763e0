import BulletinVipsShim

/// One encoded size of an image.
public struct ImageVariant: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public let format: ImageFormat
    /// The encoded file, without metadata (no EXIF, GPS, XMP, IPTC or ICC profile).
    public let bytes: [UInt8]

    public init(width: Int, height: Int, format: ImageFormat, bytes: [UInt8]) {
        self.width = width
        self.height = height
        self.format = format
        self.bytes = bytes
    }
}

/// An image and the variants made from it.
public struct ProcessedImage: Sendable, Equatable {
    /// The width as shown, after the EXIF orientation is applied.
    public let width: Int
    /// The height as shown, after the EXIF orientation is applied.
    public let height: Int
    /// The format of the original.
    public let format: ImageFormat
    /// By increasing width; at each width WebP first, then the original's format (once when that is WebP).
    public let variants: [ImageVariant]

    public init(width: Int, height: Int, format: ImageFormat, variants: [ImageVariant]) {
        self.width = width
        self.height = height
        self.format = format
        self.variants = variants
    }
}

/// Why an image could not be processed.
public enum ImageError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Not an image, or a damaged or truncated one; with libvips' explanation.
    case undecodable(String)
    /// The header claims more pixels than allowed; nothing was decoded.
    case tooManyPixels(width: Int, height: Int, limit: Int)
    /// An image in a format Bulletin does not publish: "tiff", "svg", "heif", "pdf", … ("magick" for those only
    /// ImageMagick reads, such as BMP).
    case unsupportedFormat(String)

    public var description: String {
        switch self {
        case .undecodable(let reason): "not a readable image: \(reason)"
        case .tooManyPixels(let width, let height, let limit):
            "image is \(width)×\(height) pixels, more than the \(limit) allowed"
        case .unsupportedFormat(let format): "\(format) images are not supported (use JPEG, PNG, WebP or GIF)"
        }
    }
}

/// Resizes images into responsive variants with libvips.
///
/// Every variant is turned upright by the EXIF orientation, converted to sRGB when the original carries an ICC
/// profile, and written without any metadata. Animated GIFs and WebPs give their first frame only. The same
/// bytes always give byte-identical variants, whatever the thread count. Safe to call from many threads.
public enum ImageProcessor {
    /// The variants of the image in `bytes`: one per requested width narrower than the image, plus one at the
    /// image's own width when it is narrower than the largest requested width. Never enlarges. Each width comes
    /// as WebP (quality 80) and in the original's format (JPEG quality 82 progressive, PNG, GIF).
    ///
    /// `maxPixels` bounds width × height, checked from the header before any pixel is decoded.
    public static func process(_ bytes: [UInt8], widths: [Int] = [480, 960, 1600],
                               maxPixels: Int = 50_000_000) throws(ImageError) -> ProcessedImage {
        // libvips reads the bytes in place, so they must stay put for the whole call.
        try bytes.withUnsafeBytes { data in
            Result { () throws(ImageError) in try process(data, widths: widths, maxPixels: maxPixels) }
        }.get()
    }

    /// The widths to make for an image `width` pixels wide: each requested width, capped at the image's own.
    static func variantWidths(for width: Int, requested: [Int]) -> [Int] {
        let wanted = requested.filter { $0 > 0 }
        return Set((wanted.isEmpty ? [width] : wanted).map { min($0, width) }).sorted()
    }

    /// Sets the worker threads libvips gives each image (1 unless `VIPS_CONCURRENCY` is set).
    static func setThreadsPerImage(_ threads: Int) throws(ImageError) {
        try start()
        bv_set_concurrency(Int32(clamping: threads))
    }

    private static func start() throws(ImageError) {
        guard bv_init() == 0 else { throw .undecodable("libvips did not start: \(lastError())") }
    }

    private static func process(_ data: UnsafeRawBufferPointer, widths: [Int],
                                maxPixels: Int) throws(ImageError) -> ProcessedImage {
        try start()
        // Loaders leave benign warnings in libvips' error buffer even when they succeed; they must not be blamed
        // on the next image that fails. (A failure takes its messages before this runs.)
        defer { bv_error_clear() }
        guard let base = data.baseAddress, !data.isEmpty else { throw .undecodable("no bytes") }
        guard let loader = bv_find_loader(base, data.count).map({ String(cString: $0) }) else {
            throw .undecodable(lastError())
        }
        guard let format = ImageFormat(loader: loader) else {
            throw .unsupportedFormat(loader.replacing("load_buffer", with: ""))
        }
        let (width, height) = try orientedSize(base, data.count, loader: loader)
        let (pixels, overflow) = width.multipliedReportingOverflow(by: height)
        guard !overflow, pixels <= maxPixels else { throw .tooManyPixels(width: width, height: height, limit: maxPixels) }

        let formats: [ImageFormat] = format == .webp ? [.webp] : [.webp, format]
        let sizes = variantWidths(for: width, requested: widths)
        // The largest size is decoded from the bytes (JPEG and WebP decode at a fraction of their size when they
        // can); the smaller ones are shrunk from it, so nothing is decoded twice.
        guard let largest = bv_thumbnail(base, data.count, Int32(sizes.last ?? width)) else { throw .undecodable(lastError()) }
        defer { bv_unref(largest) }
        var variants: [ImageVariant] = []
        for size in sizes {
            let image = size == sizes.last ? largest : bv_shrink(largest, Int32(size))
            guard let image else { throw .undecodable(lastError()) }
            defer { if image != largest { bv_unref(image) } }
            for output in formats {
                variants.append(ImageVariant(width: Int(bv_width(image)), height: Int(bv_height(image)), format: output,
                                             bytes: try encode(image, as: output)))
            }
        }
        return ProcessedImage(width: width, height: height, format: format, variants: variants)
    }

    /// The width and height as shown, read from the header alone.
    private static func orientedSize(_ base: UnsafeRawPointer, _ count: Int,
                                     loader: String) throws(ImageError) -> (Int, Int) {
        guard let header = bv_load(base, count, 1) else { throw .undecodable(lastError()) }
        defer { bv_unref(header) }
        guard let read = bv_loader(header).map({ String(cString: $0) }), read == loader else {
            throw .undecodable("read by an unexpected loader")
        }
        let width = Int(bv_width(header)), height = Int(bv_height(header))
        return bv_orientation_swaps(header) != 0 ? (height, width) : (width, height)
    }

    private static func encode(_ image: OpaquePointer, as format: ImageFormat) throws(ImageError) -> [UInt8] {
        var buffer: UnsafeMutableRawPointer?
        var length = 0
        guard bv_save(image, format.shimFormat, &buffer, &length) == 0, let buffer else { throw .undecodable(lastError()) }
        defer { bv_free(buffer) }
        return Array(UnsafeRawBufferPointer(start: buffer, count: length))
    }

    /// libvips' error messages since the last call, on one line.
    private static func lastError() -> String {
        guard let text = bv_error_copy() else { return "libvips gave no reason" }
        defer { bv_free(text) }
        let message = String(cString: text).split(whereSeparator: \.isNewline).joined(separator: "; ")
        return message.isEmpty ? "libvips gave no reason" : message
    }
}

extension ImageFormat {
    fileprivate var shimFormat: bv_format {
        switch self {
        case .jpeg: BV_FORMAT_JPEG
        case .png: BV_FORMAT_PNG
        case .webp: BV_FORMAT_WEBP
        case .gif: BV_FORMAT_GIF
        }
    }
}
