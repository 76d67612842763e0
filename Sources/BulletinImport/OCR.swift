import BulletinSupport
import Foundation

/// Optical character recognition of page images with Tesseract (Debian `tesseract-ocr` and its Simplified Chinese
/// data, `tesseract-ocr-chi-sim`), run as a separate program per page. This file is the only one that runs it.
struct OCR: Sendable {
    /// Resolution pages are rendered at for recognition.
    static let dpi = 300.0
    static let packages = "tesseract-ocr tesseract-ocr-chi-sim"

    /// Tesseract's languages, `chi_sim` first (English for the Latin letters and digits in bulletins).
    var languages = "chi_sim+eng"

    init() {}

    /// The lines Tesseract reads on a page image (PNG bytes rendered at `dpi`), with their positions in points and
    /// confidence.
    func read(page png: [UInt8], dpi: Double, pageNumber: Int) throws(ImportError) -> PositionedPage {
        try read(png, dpi: dpi, what: "page \(pageNumber)", layout: "4")
    }

    /// One line of text drawn alone (a masthead's large characters, drawn again at a smaller scale), as one
    /// segment with its confidence; nil when Tesseract finds no words.
    func read(line png: [UInt8], dpi: Double) throws(ImportError) -> (text: String, confidence: Double)? {
        let lines = try read(png, dpi: dpi, what: "a line", layout: "7").lines
        guard !lines.isEmpty else { return nil }
        return (lines.map(\.text).joined(), lines.meanConfidence)
    }

    private func read(_ png: [UInt8], dpi: Double, what: String, layout: String) throws(ImportError) -> PositionedPage {
        let folder = FileManager.default.temporaryDirectory.appending(path: "bulletin-ocr-\(getpid())-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let image = folder.appending(path: "page.png")
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try Data(png).write(to: image)
        } catch {
            throw ImportError("cannot write the page image for OCR: \(error.localizedDescription)")
        }
        return try recognise(image.path, dpi: dpi, what: what, layout: layout)
    }

    /// A scanned page kept as an image file (PNG, JPEG, TIFF), taken to be scanned at 300 dpi.
    func read(imageFile path: String) throws(ImportError) -> SourceDocument {
        let page = try recognise(path, dpi: Self.dpi, what: "the image", layout: "4")
        let mean = page.lines.meanConfidence
        var document = SourceDocument(format: "scanned image (OCR, mean confidence \(Int(mean.rounded()))%)", lines: PageLayout.lines(of: [page]))
        document.notes.append("OCR'd (mean confidence \(Int(mean.rounded()))%): read it against the scan")
        return document
    }

    /// Tesseract on an image file: `layout` is its page segmentation mode (4: a column of lines, 7: one line).
    private func recognise(_ image: String, dpi: Double, what: String, layout: String) throws(ImportError) -> PositionedPage {
        guard let executable = Self.executable() else {
            throw ImportError("\(what) has no text layer (a scan) and OCR is not installed: apt-get install \(Self.packages)")
        }
        let result = try ChildProcess.run(executable, [image, "stdout", "-l", languages, "--dpi", String(Int(dpi)), "--psm", layout, "tsv"])
        guard result.status == 0 else {
            if result.signalled, result.status == SIGXCPU || result.status == SIGKILL {
                throw ImportError("stopped: OCR of \(what) took longer than the time limit (--time-limit)")
            }
            if result.error.contains("Failed loading language") || result.error.contains("Error opening data file") {
                throw ImportError("OCR has no Simplified Chinese data: apt-get install tesseract-ocr-chi-sim")
            }
            throw ImportError("tesseract failed on \(what): \(result.error.split(separator: "\n").last ?? "exit \(result.status)")")
        }
        return Self.page(fromTSV: String(decoding: result.output, as: UTF8.self), dpi: dpi)
    }

    /// Tesseract's TSV (one row a word: level, page, block, paragraph, line, word, left, top, width, height,
    /// confidence, text) as a page of lines: words of one line joined (no space between Chinese words), split into segments
    /// at gaps wider than one and a half line heights.
    static func page(fromTSV tsv: String, dpi: Double) -> PositionedPage {
        struct Word {
            var left, top, width, height: Double
            var confidence: Double
            var text: String
        }
        var order: [String] = []
        var words: [String: [Word]] = [:]
        var size = (width: 0.0, height: 0.0)
        for row in tsv.split(separator: "\n").dropFirst() {
            let columns = row.split(separator: "\t", omittingEmptySubsequences: false)
            if columns.count >= 10, columns[0] == "1", let width = Double(columns[8]), let height = Double(columns[9]) {
                size = (width * 72 / dpi, height * 72 / dpi)
            }
            guard columns.count >= 12, columns[0] == "5", let left = Double(columns[6]), let top = Double(columns[7]),
                  let width = Double(columns[8]), let height = Double(columns[9]), let confidence = Double(columns[10]) else { continue }
            let text = String(columns[11]).trimmingSpaces().trimmingCharacters(in: "|｜丨")
            guard !text.isEmpty else { continue }
            let key = columns[1...4].joined(separator: ".")
            if words[key] == nil { order.append(key) }
            words[key, default: []].append(Word(left: left, top: top, width: width, height: height, confidence: confidence, text: text))
        }
        let points = 72 / dpi
        let lines = order.compactMap { key -> PositionedLine? in
            guard let line = words[key]?.sorted(by: { $0.left < $1.left }), !line.isEmpty else { return nil }
            let heights = line.map(\.height).sorted()
            let lineHeight = heights[heights.count / 2]
            var segments: [(text: String, left: Double, right: Double)] = []
            var previous: Word?
            for word in line {
                let gap = previous.map { word.left - ($0.left + $0.width) } ?? .infinity
                if gap > lineHeight * 1.5 {
                    segments.append((word.text, word.left * points, (word.left + word.width) * points))
                } else {
                    if let previous, let last = previous.text.last, let first = word.text.first,
                       !Punctuation.isChinese(last) && !Punctuation.isChinesePunctuation(last),
                       !Punctuation.isChinese(first) && !Punctuation.isChinesePunctuation(first) {
                        segments[segments.count - 1].text += " "
                    }
                    segments[segments.count - 1].text += word.text
                    segments[segments.count - 1].right = (word.left + word.width) * points
                }
                previous = word
            }
            let confidence = line.map(\.confidence).reduce(0, +) / Double(line.count)
            return PositionedLine(segments: segments, top: line.map(\.top).min()! * points,
                                  bottom: line.map { $0.top + $0.height }.max()! * points, size: lineHeight * points, confidence: confidence)
        }
        return PositionedPage(width: size.width, height: size.height, lines: lines)
    }

    /// `tesseract` on the `PATH`.
    static func executable() -> String? {
        Executables.find(["tesseract"])
    }
}
