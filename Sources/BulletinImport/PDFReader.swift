import CPoppler
import Foundation

/// PDF files through poppler (Debian `libpoppler-glib-dev`): the text layer with each character's position, font
/// and colour, made into lines by where the characters lie (so table cells on one row stay one row); pages with
/// no text layer rendered with cairo and read by OCR. This file is the only one in the importer that touches
/// poppler.
enum PDFReader {
    /// Characters per page under which a page counts as scanned (no text layer).
    static let scannedBelow = 20

    static func read(_ bytes: [UInt8], ocr: OCR = OCR()) throws(ImportError) -> SourceDocument {
        let data = bytes.withUnsafeBytes { g_bytes_new($0.baseAddress, gsize($0.count)) }
        defer { g_bytes_unref(data) }
        var error: UnsafeMutablePointer<GError>?
        guard let document = poppler_document_new_from_bytes(data, nil, &error) else {
            let message = error.map { String(cString: $0.pointee.message) } ?? "unknown error"
            if let error { g_error_free(error) }
            throw ImportError("not a readable PDF: \(message)")
        }
        defer { g_object_unref(UnsafeMutableRawPointer(document)) }
        let count = Int(poppler_document_get_n_pages(document))
        guard count > 0 else { throw ImportError("the PDF has no pages") }
        var pages: [PositionedPage] = []
        var images: [SourceImage] = []
        var scanned: [Int] = []
        for number in 0..<count {
            guard let page = poppler_document_get_page(document, Int32(number)) else { continue }
            defer { g_object_unref(UnsafeMutableRawPointer(page)) }
            let positioned = textLayer(page)
            if positioned.lines.reduce(0, { $0 + $1.text.count }) < scannedBelow {
                scanned.append(number)
                let read = try ocr.read(page: render(page, dpi: OCR.dpi), dpi: OCR.dpi, pageNumber: number + 1)
                pages.append(try rereadLargeLines(read, of: page, ocr: ocr))
            } else {
                var withPictures = positioned
                for (line, image) in pictures(page, numberedFrom: images.count + 1) {
                    images.append(image)
                    withPictures.lines.insert(line, at: withPictures.lines.firstIndex { $0.top > line.top } ?? withPictures.lines.count)
                }
                pages.append(withPictures)
            }
        }
        let pageWord = count == 1 ? "page" : "pages"
        var result: SourceDocument
        if scanned.isEmpty {
            result = SourceDocument(format: "PDF, \(count) \(pageWord)", lines: PageLayout.lines(of: pages))
        } else {
            let mean = pages.flatMap(\.lines).meanConfidence
            let kind = scanned.count == count ? "scanned PDF" : "PDF with \(scanned.count) scanned of"
            result = SourceDocument(format: "\(kind), \(count) \(pageWord) (OCR, mean confidence \(Int(mean.rounded()))%)",
                                    lines: PageLayout.lines(of: pages))
            result.notes.append("OCR'd \(scanned.count) of \(count) \(pageWord) (mean confidence \(Int(mean.rounded()))%): read it against the scan")
        }
        result.images = images
        if let title = poppler_document_get_title(document) {
            result.metadataTitle = String(cString: title)
            g_free(title)
        }
        return result
    }

    /// The photos on a page with text, as PNG files named `image-N.png` from `first` on, each with a line where it
    /// stands. Pictures smaller than 1.5 cm (logos, rules, ornaments) or covering most of the page (a background)
    /// are left out.
    static func pictures(_ page: OpaquePointer, numberedFrom first: Int) -> [(PositionedLine, SourceImage)] {
        var width = 0.0, height = 0.0
        poppler_page_get_size(page, &width, &height)
        let mapping = poppler_page_get_image_mapping(page)
        defer { poppler_page_free_image_mapping(mapping) }
        var found: [(PositionedLine, SourceImage)] = []
        var node = mapping
        while let current = node {
            node = current.pointee.next
            guard let entry = current.pointee.data?.assumingMemoryBound(to: PopplerImageMapping.self).pointee else { continue }
            let area = entry.area
            let (left, right) = (min(area.x1, area.x2), max(area.x1, area.x2))
            let (top, bottom) = (min(area.y1, area.y2), max(area.y1, area.y2))
            guard right - left >= 42, bottom - top >= 42, (right - left) * (bottom - top) < width * height * 0.8,
                  let surface = poppler_page_get_image(page, entry.image_id) else { continue }
            defer { cairo_surface_destroy(surface) }
            let png = pngBytes(surface)
            guard !png.isEmpty else { continue }
            let name = "image-\(first + found.count).png"
            var line = PositionedLine(segments: [], top: top, bottom: bottom, size: 0)
            line.image = name
            found.append((line, SourceImage(name: name, bytes: png)))
        }
        return found
    }

    /// A cairo surface as PNG bytes.
    static func pngBytes(_ surface: OpaquePointer) -> [UInt8] {
        var png: [UInt8] = []
        withUnsafeMutablePointer(to: &png) { target in
            _ = cairo_surface_write_to_png_stream(surface, { closure, data, length in
                guard let closure, let data else { return CAIRO_STATUS_WRITE_ERROR }
                closure.assumingMemoryBound(to: [UInt8].self).pointee.append(contentsOf: UnsafeBufferPointer(start: data, count: Int(length)))
                return CAIRO_STATUS_SUCCESS
            }, target)
        }
        return png
    }

    /// One character of the text layer where it lies.
    private struct Glyph {
        var character: Character
        var left, top, right, bottom: Double
        var size: Double
        var bold: Bool
        var red: Bool
        /// The text layer has a space before it (`大力弘扬志愿精神 踊跃投身`).
        var spaceBefore: Bool
    }

    /// The page's characters grouped into lines by their vertical position, each split into segments at wide gaps.
    static func textLayer(_ page: OpaquePointer) -> PositionedPage {
        var width = 0.0, height = 0.0
        poppler_page_get_size(page, &width, &height)
        guard let raw = poppler_page_get_text(page) else { return PositionedPage(width: width, height: height, lines: []) }
        let text = Array(String(cString: raw).unicodeScalars)
        g_free(raw)
        var rectangles: UnsafeMutablePointer<PopplerRectangle>?
        var rectangleCount: guint = 0
        guard poppler_page_get_text_layout(page, &rectangles, &rectangleCount) != 0, let rectangles else {
            return PositionedPage(width: width, height: height, lines: [])
        }
        defer { g_free(rectangles) }
        var styles = Array(repeating: (size: 10.0, bold: false, red: false), count: text.count)
        let attributes = poppler_page_get_text_attributes(page)
        var node = attributes
        while let current = node {
            if let attribute = current.pointee.data?.assumingMemoryBound(to: PopplerTextAttributes.self).pointee {
                let font = attribute.font_name.map { String(cString: $0) } ?? ""
                let bold = font.range(of: "bold|black|heavy|semibold|hei", options: [.regularExpression, .caseInsensitive]) != nil
                let color = attribute.color
                let red = color.red > 45_000 && color.green < 23_000 && color.blue < 23_000
                let start = max(0, Int(attribute.start_index)), end = min(text.count - 1, Int(attribute.end_index))
                if start <= end { for index in start...end { styles[index] = (attribute.font_size, bold, red) } }
            }
            node = current.pointee.next
        }
        poppler_page_free_text_attributes(attributes)

        var glyphs: [Glyph] = []
        var spaceBefore = false
        for (index, scalar) in text.enumerated() where index < Int(rectangleCount) {
            guard !scalar.properties.isWhitespace else {
                spaceBefore = scalar == " " || scalar == "\u{3000}"
                continue
            }
            let box = rectangles[index]
            glyphs.append(Glyph(character: Character(scalar), left: box.x1, top: box.y1, right: box.x2, bottom: box.y2,
                                size: styles[index].size, bold: styles[index].bold, red: styles[index].red, spaceBefore: spaceBefore))
            spaceBefore = false
        }
        return PositionedPage(width: width, height: height, lines: lines(of: glyphs))
    }

    /// Glyphs whose vertical middles lie within half a line of each other form a line, read left to right.
    private static func lines(of glyphs: [Glyph]) -> [PositionedLine] {
        var rows: [[Glyph]] = []
        for glyph in glyphs.sorted(by: { ($0.top + $0.bottom) < ($1.top + $1.bottom) }) {
            let middle = (glyph.top + glyph.bottom) / 2
            if let last = rows.last?.first, abs((last.top + last.bottom) / 2 - middle) < min(last.bottom - last.top, glyph.bottom - glyph.top) * 0.45 {
                rows[rows.count - 1].append(glyph)
            } else {
                rows.append([glyph])
            }
        }
        return rows.map { row in
            let sorted = row.sorted { $0.left < $1.left }
            var segments: [(text: String, left: Double, right: Double)] = []
            var previous: Glyph?
            for glyph in sorted {
                let gap = previous.map { glyph.left - $0.right } ?? .infinity
                if gap > glyph.size * 0.9 {
                    segments.append((String(glyph.character), glyph.left, glyph.right))
                } else {
                    if glyph.spaceBefore || previous.map({ gap > glyph.size * 0.2 && isLatin($0.character) && isLatin(glyph.character) }) == true {
                        segments[segments.count - 1].text.append(" ")
                    }
                    segments[segments.count - 1].text.append(glyph.character)
                    segments[segments.count - 1].right = glyph.right
                }
                previous = glyph
            }
            var sizes: [Double: Int] = [:]
            for glyph in row { sizes[(glyph.size * 2).rounded() / 2, default: 0] += 1 }
            let size = sizes.max { $0.value < $1.value || $0.value == $1.value && $0.key < $1.key }?.key ?? 10
            return PositionedLine(segments: segments, top: row.map(\.top).min()!, bottom: row.map(\.bottom).max()!, size: size,
                                  bold: row.allSatisfy(\.bold), red: row.filter(\.red).count * 2 > row.count)
        }
    }

    private static func isLatin(_ character: Character) -> Bool {
        character.isASCII && (character.isLetter || character.isNumber)
    }

    /// Lines set far larger than the body (a masthead's 44 pt series name) that OCR read with low confidence,
    /// drawn again alone at the scale Tesseract reads best (characters about 48 pixels high) and read as one line;
    /// the reading with the higher confidence is kept.
    static func rereadLargeLines(_ page: PositionedPage, of pdfPage: OpaquePointer, ocr: OCR) throws(ImportError) -> PositionedPage {
        let sizes = page.lines.map(\.size).sorted()
        guard !sizes.isEmpty else { return page }
        let body = sizes[sizes.count / 2]
        var result = page
        for (index, line) in page.lines.enumerated() {
            guard let confidence = line.confidence, confidence < BodyReflow.reviewConfidence, line.size > body * 1.8 else { continue }
            let dpi = 48 * 72 / line.size
            let margin = line.size / 4
            let clip = (left: line.left - margin, top: line.top - margin, right: line.right + margin, bottom: line.bottom + margin)
            guard let reread = try ocr.read(line: render(pdfPage, dpi: dpi, clip: clip), dpi: dpi), reread.confidence > confidence else { continue }
            result.lines[index].segments = [(reread.text, line.left, line.right)]
            result.lines[index].confidence = reread.confidence
        }
        return result
    }

    /// The page (or the `clip` rectangle of it, in points) drawn at `dpi` on white, as a PNG for OCR.
    static func render(_ page: OpaquePointer, dpi: Double, clip: (left: Double, top: Double, right: Double, bottom: Double)? = nil) -> [UInt8] {
        var width = 0.0, height = 0.0
        poppler_page_get_size(page, &width, &height)
        let area = clip ?? (0, 0, width, height)
        let scale = dpi / 72
        guard let surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, Int32((area.right - area.left) * scale),
                                                       Int32((area.bottom - area.top) * scale)) else { return [] }
        defer { cairo_surface_destroy(surface) }
        let cairo = cairo_create(surface)
        defer { cairo_destroy(cairo) }
        cairo_set_source_rgb(cairo, 1, 1, 1)
        cairo_paint(cairo)
        cairo_scale(cairo, scale, scale)
        cairo_translate(cairo, -area.left, -area.top)
        poppler_page_render_for_printing(page, cairo)
        cairo_surface_flush(surface)
        return pngBytes(surface)
    }
}
