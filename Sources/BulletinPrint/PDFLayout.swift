import CPoppler

/// What a printed page looks like, read back with poppler (Debian `libpoppler-glib-dev`, drawing with cairo).
/// This file is the only one of the print edition that touches poppler (the importer reads PDFs in `PDFReader`).
public enum PDFLayout {
    /// How far below the top of the last page of `pdf` (in points) its lowest rule above `limit` points ends: a
    /// row of dark pixels across more than half of the page's width, such as the 版记's last rule. Nil when the
    /// PDF cannot be read or that page has no such rule.
    public static func lowestRule(_ pdf: [UInt8], above limit: Double) -> Double? {
        let bytes = pdf.withUnsafeBytes { g_bytes_new($0.baseAddress, gsize($0.count)) }
        defer { g_bytes_unref(bytes) }
        var error: UnsafeMutablePointer<GError>?
        guard let document = poppler_document_new_from_bytes(bytes, nil, &error) else {
            if let error { g_error_free(error) }
            return nil
        }
        defer { g_object_unref(UnsafeMutableRawPointer(document)) }
        let pages = poppler_document_get_n_pages(document)
        guard pages > 0, let page = poppler_document_get_page(document, pages - 1) else { return nil }
        defer { g_object_unref(UnsafeMutableRawPointer(page)) }
        var width = 0.0, height = 0.0
        poppler_page_get_size(page, &width, &height)
        let scale = 4.0  // 288 dpi: a 0.35 mm rule is four rows
        let pixelWidth = Int32(width * scale), pixelHeight = Int32(min(limit, height) * scale)
        guard let surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, pixelWidth, pixelHeight) else { return nil }
        defer { cairo_surface_destroy(surface) }
        let cairo = cairo_create(surface)
        defer { cairo_destroy(cairo) }
        cairo_set_source_rgb(cairo, 1, 1, 1)
        cairo_paint(cairo)
        cairo_scale(cairo, scale, scale)
        poppler_page_render(page, cairo)
        cairo_surface_flush(surface)
        guard let data = cairo_image_surface_get_data(surface) else { return nil }
        let rowBytes = Int(cairo_image_surface_get_stride(surface))
        for row in stride(from: Int(pixelHeight) - 1, through: 0, by: -1) {
            var dark = 0
            let pixels = UnsafeRawPointer(data + row * rowBytes).assumingMemoryBound(to: UInt32.self)
            for column in 0..<Int(pixelWidth) {
                let pixel = pixels[column]
                if (pixel >> 16) & 0xFF < 110 && (pixel >> 8) & 0xFF < 110 && pixel & 0xFF < 110 { dark += 1 }
            }
            if dark > Int(pixelWidth) / 2 { return Double(row + 1) / scale }
        }
        return nil
    }
}
