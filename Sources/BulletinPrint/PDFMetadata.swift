import CQPDF

/// The document information a printed bulletin carries.
public struct PDFMetadata: Sendable, Equatable {
    public var title: String
    /// The publishers.
    public var author: String
    /// The series and issue: `杭州精神文明建设·信息交流 第1期（总第305期）`.
    public var subject: String
    /// `D:20170307000000+08'00'`: the bulletin's date, never the time of the build.
    public var date: String

    public init(title: String, author: String, subject: String, date: String) {
        self.title = title
        self.author = author
        self.subject = subject
        self.date = date
    }
}

/// Why a PDF could not be finished.
public struct PDFError: Error, Sendable, CustomStringConvertible {
    public var description: String

    public init(description: String) {
        self.description = description
    }
}

/// Rewrites a PDF with qpdf (Debian `libqpdf-dev`): its document information replaced by `PDFMetadata` and a
/// file identifier derived from its content, so that the same bulletin gives the same bytes in every build.
/// Everything else (pages, fonts, tags, outline, `/Lang`) is kept. This file is the only one that touches qpdf.
public enum PDFRewriter {
    public static func rewrite(_ pdf: [UInt8], metadata: PDFMetadata) throws(PDFError) -> [UInt8] {
        var handle: qpdf_data? = qpdf_init()
        defer { qpdf_cleanup(&handle) }
        guard let qpdf = handle else { throw PDFError(description: "qpdf could not start") }
        qpdf_silence_errors(qpdf)
        func check(_ step: String) throws(PDFError) {
            guard qpdf_has_error(qpdf) != 0 else { return }
            let error = qpdf_get_error(qpdf)
            let text = qpdf_get_error_full_text(qpdf, error).map { String(cString: $0) } ?? "unknown error"
            throw PDFError(description: "qpdf could not \(step) the printed PDF: \(text)")
        }
        _ = pdf.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { qpdf_read_memory(qpdf, "bulletin.pdf", $0.baseAddress, UInt64($0.count), nil) }
        }
        try check("read")
        let info = qpdf_oh_new_dictionary(qpdf)
        for (key, value) in [("/Title", metadata.title), ("/Author", metadata.author), ("/Subject", metadata.subject),
                             ("/Creator", "Bulletin"), ("/CreationDate", metadata.date), ("/ModDate", metadata.date)] {
            qpdf_oh_replace_key(qpdf, info, key, qpdf_oh_new_unicode_string(qpdf, value))
        }
        let previous = qpdf_oh_get_key(qpdf, qpdf_get_trailer(qpdf), "/Info")
        if qpdf_oh_is_dictionary(qpdf, previous) != 0, qpdf_oh_has_key(qpdf, previous, "/Producer") != 0 {
            qpdf_oh_replace_key(qpdf, info, "/Producer", qpdf_oh_get_key(qpdf, previous, "/Producer"))
        }
        qpdf_oh_replace_key(qpdf, qpdf_get_trailer(qpdf), "/Info", qpdf_make_indirect_object(qpdf, info))
        try check("update")
        _ = qpdf_init_write_memory(qpdf)
        qpdf_set_deterministic_ID(qpdf, 1)
        qpdf_set_object_stream_mode(qpdf, qpdf_o_preserve)
        qpdf_set_suppress_original_object_IDs(qpdf, 1)
        _ = qpdf_write(qpdf)
        try check("write")
        guard let bytes = qpdf_get_buffer(qpdf) else { throw PDFError(description: "qpdf wrote nothing") }
        return Array(UnsafeBufferPointer(start: bytes, count: qpdf_get_buffer_length(qpdf)))
    }
}
