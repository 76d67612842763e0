@testable import BulletinImages
import BulletinVipsShim
import Foundation
import Testing

/// Images from Fixtures/images (made by make-fixtures.py there) and PNGs written here.
@Suite struct ImageProcessorTests {
    @Test func rotatedJPEGIsTurnedUprightAndLosesItsGPS() throws {
        let image = try ImageProcessor.process(imageFixture("rotated-gps.jpg"))
        #expect((image.width, image.height, image.format) == (600, 800, .jpeg))
        #expect(image.variants.map(\.summary) == ["480x640 webp", "480x640 jpeg", "600x800 webp", "600x800 jpeg"])
        for variant in image.variants {
            try expectNoMetadata(variant)
            let decoded = try #require(DecodedImage(variant.bytes))
            #expect((decoded.width, decoded.height) == (variant.width, variant.height))
            // The red block stored top left is shown top right once turned 90° clockwise.
            #expect(decoded.isRed(x: variant.width - 5, y: 5), "\(variant.summary)")
            #expect(!decoded.isRed(x: 5, y: 5), "\(variant.summary)")
        }
        #expect(image.variants.first { $0.format == .jpeg }?.bytes.starts(with: [0xFF, 0xD8, 0xFF]) == true)
    }

    @Test func pngGivesPNGAndWebPWithoutMetadata() throws {
        let image = try ImageProcessor.process(imageFixture("metadata.png"))
        #expect((image.width, image.height, image.format) == (640, 400, .png))
        #expect(image.variants.map(\.summary) == ["480x300 webp", "480x300 png", "640x400 webp", "640x400 png"])
        for variant in image.variants {
            try expectNoMetadata(variant)
            let decoded = try #require(DecodedImage(variant.bytes))
            #expect((decoded.width, decoded.height) == (variant.width, variant.height))
            #expect(decoded.isRed(x: 5, y: 5))
        }
        #expect(image.variants[1].bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        #expect(image.variants[0].bytes.starts(with: Array("RIFF".utf8)))
    }

    @Test func largePNGGetsEveryRequestedWidth() throws {
        let image = try ImageProcessor.process(PNGWriter.gradient(width: 2000, height: 1000))
        #expect((image.width, image.height, image.format) == (2000, 1000, .png))
        #expect(image.variants.map(\.summary) == [
            "480x240 webp", "480x240 png", "960x480 webp", "960x480 png", "1600x800 webp", "1600x800 png",
        ])
    }

    @Test func imageBetweenRequestedWidthsAddsItsOwnWidth() throws {
        let image = try ImageProcessor.process(PNGWriter.gradient(width: 1200, height: 300), widths: [480, 960, 1600])
        #expect(image.variants.map(\.summary) == [
            "480x120 webp", "480x120 png", "960x240 webp", "960x240 png", "1200x300 webp", "1200x300 png",
        ])
    }

    @Test func tinyImageIsNeverEnlarged() throws {
        let image = try ImageProcessor.process(PNGWriter.gradient(width: 200, height: 120))
        #expect(image.variants.map(\.summary) == ["200x120 webp", "200x120 png"])
    }

    @Test func variantWidths() {
        let requested = [480, 960, 1600]
        #expect(ImageProcessor.variantWidths(for: 4000, requested: requested) == [480, 960, 1600])
        #expect(ImageProcessor.variantWidths(for: 1600, requested: requested) == [480, 960, 1600])
        #expect(ImageProcessor.variantWidths(for: 1000, requested: requested) == [480, 960, 1000])
        #expect(ImageProcessor.variantWidths(for: 960, requested: requested) == [480, 960])
        #expect(ImageProcessor.variantWidths(for: 300, requested: requested) == [300])
        #expect(ImageProcessor.variantWidths(for: 300, requested: [960, 480, 480, 0, -5]) == [300])
        #expect(ImageProcessor.variantWidths(for: 300, requested: []) == [300])
    }

    @Test func webPGivesWebPOnlyWithoutMetadata() throws {
        let image = try ImageProcessor.process(imageFixture("metadata.webp"))
        #expect((image.width, image.height, image.format) == (500, 300, .webp))
        #expect(image.variants.map(\.summary) == ["480x288 webp", "500x300 webp"])
        for variant in image.variants { try expectNoMetadata(variant) }
    }

    @Test func animatedGIFKeepsItsFirstFrame() throws {
        let image = try ImageProcessor.process(imageFixture("animated.gif"))
        #expect((image.width, image.height, image.format) == (300, 200, .gif))
        #expect(image.variants.map(\.summary) == ["300x200 webp", "300x200 gif"])
        #expect(image.variants[1].bytes.starts(with: Array("GIF8".utf8)))
        for variant in image.variants {
            try expectNoMetadata(variant)
            let decoded = try #require(DecodedImage(variant.bytes))
            #expect(decoded.isRed(x: 150, y: 100), "\(variant.summary)")
        }
    }

    @Test(arguments: [
        ("empty", [UInt8]()),
        ("text", Array("not an image at all".utf8)),
        ("PNG signature only", [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]),
    ])
    func undecodableBytes(name: String, bytes: [UInt8]) {
        let error = #expect(throws: ImageError.self, "\(name)") { try ImageProcessor.process(bytes) }
        guard case .undecodable(let reason)? = error else { Issue.record("\(name): \(String(describing: error))"); return }
        #expect(!reason.isEmpty)
    }

    @Test func truncatedJPEGIsUndecodable() throws {
        let jpeg = try imageFixture("rotated-gps.jpg")
        let error = #expect(throws: ImageError.self) { try ImageProcessor.process(Array(jpeg.prefix(jpeg.count / 2))) }
        guard case .undecodable(let reason)? = error else { Issue.record("\(String(describing: error))"); return }
        #expect(reason.contains("Premature end"))
    }

    @Test func benignJPEGWarningsAreAccepted() throws {
        // libjpeg warns about stray bytes before a marker and decodes the image anyway.
        var jpeg = try imageFixture("rotated-gps.jpg")
        let scan = try #require(jpeg.firstRange(of: [0xFF, 0xDA]))
        jpeg.insert(contentsOf: [0, 0, 0], at: scan.lowerBound)
        #expect(try ImageProcessor.process(jpeg, widths: [480]).variants.map(\.summary) == ["480x640 webp", "480x640 jpeg"])
    }

    @Test func otherFormatsAreUnsupported() throws {
        #expect(throws: ImageError.unsupportedFormat("tiff")) { try ImageProcessor.process(imageFixture("tiny.tiff")) }
        let svg = #"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>"#
        #expect(throws: ImageError.unsupportedFormat("svg")) { try ImageProcessor.process(Array(svg.utf8)) }
    }

    @Test func hugeHeaderIsRefusedBeforeDecoding() {
        // A valid header over pixel data that is not even deflate: decoding it would fail differently.
        let bomb = PNGWriter.file(width: 20_000, height: 20_000, idat: Array(repeating: 0xAB, count: 64))
        #expect(bomb.count < 200)
        #expect(throws: ImageError.tooManyPixels(width: 20_000, height: 20_000, limit: 50_000_000)) {
            try ImageProcessor.process(bomb)
        }
        let error = #expect(throws: ImageError.self) { try ImageProcessor.process(bomb, maxPixels: .max) }
        guard case .undecodable? = error else { Issue.record("\(String(describing: error))"); return }
    }

    @Test func pixelLimitUsesTheShownSize() throws {
        #expect(throws: ImageError.tooManyPixels(width: 600, height: 800, limit: 479_999)) {
            try ImageProcessor.process(imageFixture("rotated-gps.jpg"), maxPixels: 479_999)
        }
        #expect(try ImageProcessor.process(imageFixture("rotated-gps.jpg"), maxPixels: 480_000).width == 600)
    }

    @Test func outputIsDeterministicWhateverTheThreads() async throws {
        let inputs = try ["rotated-gps.jpg", "metadata.png", "metadata.webp", "animated.gif"].map(imageFixture)
            + [PNGWriter.gradient(width: 1700, height: 900)]
        let first = try inputs.map { try ImageProcessor.process($0).variants }
        try ImageProcessor.setThreadsPerImage(4)
        defer { try? ImageProcessor.setThreadsPerImage(1) }
        #expect(try inputs.map { try ImageProcessor.process($0).variants } == first)
        let parallel = try await withThrowingTaskGroup(of: (Int, [ImageVariant]).self) { group in
            for _ in 0..<3 {
                for (index, input) in inputs.enumerated() {
                    group.addTask { (index, try ImageProcessor.process(input).variants) }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(parallel.count == 3 * inputs.count)
        for (index, variants) in parallel { #expect(variants == first[index]) }
    }

    @Test func formatsFromFileExtensions() {
        #expect(ImageFormat(fileExtension: "JPG") == .jpeg)
        #expect(ImageFormat(fileExtension: "jpeg") == .jpeg)
        #expect(ImageFormat(fileExtension: "png") == .png)
        #expect(ImageFormat(fileExtension: "WebP") == .webp)
        #expect(ImageFormat(fileExtension: "gif") == .gif)
        #expect(ImageFormat(fileExtension: "tiff") == nil)
        #expect(ImageFormat.jpeg.fileExtension == "jpg")
        #expect(ImageFormat.webp.mediaType == "image/webp")
    }

    @Test func errorsDescribeThemselves() {
        #expect(ImageError.tooManyPixels(width: 3, height: 4, limit: 10).description
            == "image is 3×4 pixels, more than the 10 allowed")
        #expect(ImageError.unsupportedFormat("tiff").description.hasPrefix("tiff images are not supported"))
    }
}

private func imageFixture(_ name: String) throws -> [UInt8] {
    let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appending(path: "Fixtures/images")
    return Array(try Data(contentsOf: folder.appending(path: name)))
}

extension ImageVariant {
    fileprivate var summary: String { "\(width)x\(height) \(format)" }
}

/// No trace of the originals' EXIF (GPS, camera), XMP, IPTC or ICC profile, in the bytes or as read by libvips.
private func expectNoMetadata(_ variant: ImageVariant, sourceLocation: SourceLocation = #_sourceLocation) throws {
    for marker in ["Exif\0\0", "EXIF", "BulletinTestCam", "BULLETIN-", "ICC_PROFILE", "ICCP", "iCCP", "eXIf", "XMP ",
                   "http://ns.adobe.com", "Photoshop 3.0"] {
        #expect(variant.bytes.firstRange(of: Array(marker.utf8)) == nil, "\(variant.summary) holds \(marker)",
                sourceLocation: sourceLocation)
    }
    let decoded = try #require(DecodedImage(variant.bytes), sourceLocation: sourceLocation)
    #expect(decoded.metadata.isEmpty, "\(variant.summary): \(decoded.metadata)", sourceLocation: sourceLocation)
    #expect(decoded.orientation == 1, sourceLocation: sourceLocation)
}

/// A variant decoded again with libvips.
private struct DecodedImage {
    let width: Int
    let height: Int
    let orientation: Int
    /// The metadata fields libvips found.
    let metadata: [String]
    private let pixels: [[Double]]
    private let points: [(Int, Int)]

    /// Reads the pixels at a few points that the tests look at.
    init?(_ bytes: [UInt8]) {
        guard bv_init() == 0 else { return nil }
        guard let result = bytes.withUnsafeBytes({ data -> DecodedImage? in
            guard let base = data.baseAddress, let image = bv_load(base, data.count, 0) else { return nil }
            defer { bv_unref(image) }
            return DecodedImage(image)
        }) else { return nil }
        self = result
    }

    private init?(_ image: OpaquePointer) {
        width = Int(bv_width(image))
        height = Int(bv_height(image))
        orientation = Int(bv_orientation(image))
        metadata = ["exif-data", "xmp-data", "iptc-data", "icc-profile-data", "exif-ifd3-GPSLatitude"].filter {
            bv_has_field(image, $0) != 0
        }
        points = [(5, 5), (width - 5, 5), (width / 2, height / 2)]
        var read: [[Double]] = []
        for (x, y) in points {
            var values = [Double](repeating: 0, count: 4)
            guard bv_point(image, Int32(x), Int32(y), &values, 4) >= 3 else { return nil }
            read.append(values)
        }
        pixels = read
    }

    func isRed(x: Int, y: Int) -> Bool {
        guard let index = points.firstIndex(where: { $0 == (x, y) }) else { return false }
        let pixel = pixels[index]
        return pixel[0] > 200 && pixel[1] < 60 && pixel[2] < 60
    }
}

/// PNG files written byte by byte (deflate's stored blocks, so no compressor is needed).
private enum PNGWriter {
    /// A colour gradient, red in its top-left corner.
    static func gradient(width: Int, height: Int) -> [UInt8] {
        let row = width * 3 + 1
        var raw = [UInt8](repeating: 0, count: row * height)
        for y in 0..<height {
            for x in 0..<width {
                let corner = x < width / 8 && y < height / 8
                let at = y * row + 1 + x * 3
                raw[at] = corner ? 255 : UInt8(x * 255 / width)
                raw[at + 1] = corner ? 0 : UInt8(y * 255 / height)
                raw[at + 2] = corner ? 0 : 128
            }
        }
        return file(width: width, height: height, idat: zlibStored(raw))
    }

    /// An 8-bit RGB PNG with the given image data.
    static func file(width: Int, height: Int, idat: [UInt8]) -> [UInt8] {
        let header = bigEndian(UInt32(width)) + bigEndian(UInt32(height)) + [8, 2, 0, 0, 0]
        return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
            + chunk("IHDR", header) + chunk("IDAT", idat) + chunk("IEND", [])
    }

    private static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let body = Array(type.utf8) + data
        return bigEndian(UInt32(data.count)) + body + bigEndian(crc32(body))
    }

    private static func zlibStored(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x78, 0x01]
        var start = 0
        repeat {
            let end = min(start + 65_535, data.count)
            let length = UInt16(end - start)
            out.append(end == data.count ? 1 : 0)
            out += [UInt8(length & 0xFF), UInt8(length >> 8), UInt8(~length & 0xFF), UInt8(~length >> 8)]
            out += data[start..<end]
            start = end
        } while start < data.count
        var a: UInt32 = 1, b: UInt32 = 0
        for block in stride(from: 0, to: data.count, by: 5_552) {
            for byte in data[block..<min(block + 5_552, data.count)] {
                a += UInt32(byte)
                b += a
            }
            a %= 65_521
            b %= 65_521
        }
        return out + bigEndian(b << 16 | a)
    }

    private static let crcTable: [UInt32] = (0..<256).map { index in
        (0..<8).reduce(UInt32(index)) { crc, _ in crc & 1 == 1 ? 0xEDB8_8320 ^ (crc >> 1) : crc >> 1 }
    }

    private static func crc32(_ data: [UInt8]) -> UInt32 {
        ~data.reduce(0xFFFF_FFFF) { crc, byte in crcTable[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
    }

    private static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }
}
