import BulletinAggregates
import BulletinImages
import BulletinMarkdown
import BulletinModel
import BulletinSupport
import Foundation
import Synchronization

/// The images of a build, processed once each: an image file's variants (480, 960 and 1600 pixels wide, WebP
/// and the original format, EXIF orientation applied and metadata stripped) are made by libvips the first
/// time a bulletin shows it, kept by the digest of its bytes, and with a build cache saved in it, so that a
/// rebuild reuses the variants of every unchanged file.
final class ImageStore: Sendable {
    /// Images larger than this many pixels are refused before they are decoded (decompression bombs).
    static let maximumPixels = 50_000_000

    /// An image's variants, by digest of its file's bytes.
    struct Processed: Codable, Sendable {
        struct Variant: Codable, Sendable {
            var width: Int
            var height: Int
            var format: String
            var size: Int
            var sha256: String
        }

        var width: Int
        var height: Int
        var variants: [Variant]
    }

    /// One published variant of an image shown by a bulletin.
    struct PublishedVariant: Sendable {
        /// Relative to the bulletin's page folder.
        var path: String
        var size: Int
        var sha256: String
    }

    /// An image shown by a bulletin: its `<picture>` and the files it publishes.
    struct Published: Sendable {
        var published: PublishedImage
        var variants: [PublishedVariant]
    }

    /// `<cache>/images`, where each image's variants are kept in a folder named by its digest; nil without a cache.
    private let folder: String?
    /// What this process has made or read, by digest: the variants and, without a cache folder, their bytes.
    private let made = Mutex<[UInt64: (processed: Processed, bytes: [String: [UInt8]])]>([:])

    init(cacheFolder: URL?) {
        folder = cacheFolder.map { $0.appending(path: "images").path }
    }

    /// The variants of the image file at `absolute`, named for publishing after its file name; an error when it
    /// cannot be read or decoded, or has too many pixels.
    func publish(_ absolute: String, displayPath: String) -> Result<Published, BodyFileProblem> {
        guard let data = FileManager.default.contents(atPath: absolute) else {
            return .failure(BodyFileProblem("cannot read the image '\(displayPath)'"))
        }
        let bytes = Array(data)
        let digest = ContentLoader.digest(bytes)
        let processed: Processed
        switch self.processed(bytes, digest: digest) {
        case .success(let value): processed = value
        case .failure(let error): return .failure(BodyFileProblem(Self.message(error, displayPath: displayPath)))
        }
        let stem = Self.stem(of: absolute)
        func url(_ variant: Processed.Variant) -> String {
            BulletinFileResolver.imagesFolder + Normalization.percentEncoded(Self.fileName(stem: stem, variant))
        }
        func variants(_ webp: Bool) -> [PublishedImage.Variant] {
            processed.variants.filter { ($0.format == "webp") == webp }
                .map { PublishedImage.Variant(url: url($0), width: $0.width, mimeType: "image/" + $0.format) }
        }
        let largest = processed.variants.max { $0.width < $1.width }
        let image = PublishedImage(width: largest?.width ?? processed.width, height: largest?.height ?? processed.height,
                                   webp: variants(true), fallback: variants(false))
        let files = processed.variants.map {
            PublishedVariant(path: BulletinFileResolver.imagesFolder + Self.fileName(stem: stem, $0), size: $0.size, sha256: $0.sha256)
        }
        return .success(Published(published: image, variants: files))
    }

    /// The bytes of the published variant `path` (below a page folder) of the image file at `absolute`.
    func bytes(ofVariant path: String, source absolute: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: absolute) else { throw PublishError("cannot read the image \(absolute)") }
        let bytes = Array(data)
        let digest = ContentLoader.digest(bytes)
        let processed = try self.processed(bytes, digest: digest).get()
        let stem = Self.stem(of: absolute)
        guard let variant = processed.variants.first(where: { BulletinFileResolver.imagesFolder + Self.fileName(stem: stem, $0) == path })
        else { throw PublishError("no variant \(path) of the image \(absolute)") }
        let name = Self.variantName(variant)
        if let kept = made.withLock({ $0[digest]?.bytes[name] }) { return kept }
        if let folder, let data = FileManager.default.contents(atPath: "\(folder)/\(Self.hex(digest))/\(name)") { return Array(data) }
        throw PublishError("the variant \(name) of the image \(absolute) is missing from the build cache")
    }

    /// The variants of the image with `bytes`: made by this process, read from the cache folder, or made now.
    private func processed(_ bytes: [UInt8], digest: UInt64) -> Result<Processed, ImageError> {
        if let known = made.withLock({ $0[digest]?.processed }) { return .success(known) }
        let imageFolder = folder.map { "\($0)/\(Self.hex(digest))" }
        if let imageFolder, let data = FileManager.default.contents(atPath: imageFolder + "/variants.json"),
           let processed = try? JSONDecoder().decode(Processed.self, from: data),
           processed.variants.allSatisfy({ FileManager.default.fileExists(atPath: imageFolder + "/" + Self.variantName($0)) }) {
            made.withLock { $0[digest] = (processed, [:]) }
            return .success(processed)
        }
        let image: ProcessedImage
        do {
            image = try ImageProcessor.process(bytes, maxPixels: Self.maximumPixels)
        } catch {
            return .failure(error)
        }
        let processed = Processed(width: image.width, height: image.height, variants: image.variants.map {
            Processed.Variant(width: $0.width, height: $0.height, format: $0.format.rawValue, size: $0.bytes.count,
                              sha256: BulletinFiles.sha256($0.bytes))
        })
        var kept: [String: [UInt8]] = [:]
        for (variant, made) in zip(processed.variants, image.variants) { kept[Self.variantName(variant)] = made.bytes }
        if let imageFolder, save(processed, bytes: kept, in: imageFolder) { kept = [:] }
        made.withLock { $0[digest] = (processed, kept) }
        return .success(processed)
    }

    /// Saves an image's variants in the cache folder; whether they all were.
    private func save(_ processed: Processed, bytes: [String: [UInt8]], in imageFolder: String) -> Bool {
        let manager = FileManager.default
        guard (try? manager.createDirectory(atPath: imageFolder, withIntermediateDirectories: true)) != nil else { return false }
        for (name, data) in bytes where !manager.createFile(atPath: imageFolder + "/" + name, contents: Data(data)) { return false }
        guard let manifest = try? JSONEncoder.sorted.encode(processed) else { return false }
        return manager.createFile(atPath: imageFolder + "/variants.json", contents: manifest)
    }

    private static func message(_ error: ImageError, displayPath: String) -> String {
        switch error {
        case .tooManyPixels(let width, let height, let limit):
            "the image '\(displayPath)' is \(width) × \(height) pixels, more than the \(limit / 1_000_000) million a page image may have; "
                + "scale it down before adding it"
        default:
            "the image '\(displayPath)' cannot be used: \(error)"
        }
    }

    /// The file name without its extension.
    private static func stem(of path: String) -> String {
        ((path as NSString).lastPathComponent as NSString).deletingPathExtension
    }

    private static func fileName(stem: String, _ variant: Processed.Variant) -> String {
        "\(stem)-\(variant.width).\(variant.format == "jpeg" ? "jpg" : variant.format)"
    }

    private static func variantName(_ variant: Processed.Variant) -> String {
        "\(variant.width).\(variant.format)"
    }

    private static func hex(_ digest: UInt64) -> String {
        let digits = String(digest, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
