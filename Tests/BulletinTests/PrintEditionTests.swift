import BulletinModel
import BulletinPrint
@testable import BulletinSite
import Foundation
import Testing

/// The print edition's parts that need no browser; `scripts/print-check` checks real PDFs with poppler-utils.
@Suite struct PrintEditionTests {
    /// A small PDF as a browser would leave it: a build time as its creation date.
    private var printed: [UInt8] {
        get throws {
            Array(try Data(contentsOf: repositoryRoot.appending(path: "Tests/BulletinTests/Fixtures/rich/content/bulletins/2017/305/通知.pdf")))
        }
    }

    private let metadata = PDFMetadata(title: "全市文明单位测评结果通报", author: "杭州市精神文明建设委员会办公室、杭州市精神文明建设研究会",
                                       subject: "杭州精神文明建设·信息交流 第1期（总第305期）", date: "D:20170307000000+08'00'")

    /// `text` as qpdf writes a string: ASCII as it is, in parentheses; other text in UTF-16BE with a byte-order
    /// mark, in hex.
    private func pdfString(_ text: String) -> String {
        if text.utf8.allSatisfy({ $0 < 0x80 }) { return "(" + text.uppercased() + ")" }
        return "<FEFF" + text.utf16.map { String(format: "%04X", $0) }.joined() + ">"
    }

    @Test func theDocumentInformationIsTheBulletinsAndTheBytesAreReproducible() throws {
        let once = try PDFRewriter.rewrite(try printed, metadata: metadata)
        let twice = try PDFRewriter.rewrite(try printed, metadata: metadata)
        #expect(once == twice, "the same input gives the same bytes (a content-derived ID, no clock)")
        let text = String(decoding: once, as: UTF8.self).uppercased()
        for value in [metadata.title, metadata.author, metadata.subject, metadata.date] {
            #expect(text.contains(pdfString(value)), "\(value)")
        }
        #expect(String(decoding: once, as: UTF8.self).hasPrefix("%PDF-"))
        let other = try PDFRewriter.rewrite(try printed, metadata: PDFMetadata(title: "另一期", author: "某办", subject: "某刊 第2期",
                                                                              date: "D:20170314000000+08'00'"))
        #expect(other != once)
    }

    @Test func anUnreadablePDFIsAnError() {
        #expect(throws: PDFError.self) { try PDFRewriter.rewrite(Array("not a PDF".utf8), metadata: metadata) }
    }

    @Test func metadataComesFromTheBulletin() throws {
        let bulletin = Bulletin(sourcePath: "a.md", title: "标题", series: "信息交流", issue: 1, serial: 305,
                                date: CalendarDate(year: 2017, month: 3, day: 7)!, publishers: ["甲办", "乙会"])
        let shanghai = PrintEdition.metadata(bulletin, config: SiteConfig())
        #expect(shanghai == PDFMetadata(title: "标题", author: "甲办、乙会", subject: "信息交流 第1期（总第305期）",
                                        date: "D:20170307000000+08'00'"))
        #expect(PrintEdition.metadata(bulletin, config: SiteConfig(timeZone: "America/New_York")).date == "D:20170307000000-05'00'")
    }

    @Test func withoutABrowserTheSiteIsBuiltAndThePackageNamed() throws {
        let site = try CLITests.fixture("rich")
        defer { site.remove() }
        let run = try CLITests.run(["build", "--source", site.root.path, "--pdf", "--no-cache"],
                                   environment: ["BULLETIN_CHROMIUM": "/nonexistent/chromium"])
        #expect(run.status == 1)
        #expect(run.stderr.contains("error: 3 print editions (bulletin.pdf) not made: headless Chromium is needed to print PDFs and is "
                                    + "not installed: install the Debian package chromium"), "\(run.stderr)")
        #expect(run.stdout.contains("3 print editions (0 printed)"), "\(run.stdout)")
        #expect(FileManager.default.fileExists(atPath: site.output.appending(path: "xxjl/2017/305/index.html").path))
        #expect(try site.read("xxjl/2017/305/index.html").contains("bulletin.pdf"))
    }

    @Test func renderingAPDFNeedsAnOutputFile() throws {
        let run = try CLITests.run(["render", "content/bulletins/2017/305.md", "--format", "pdf"], in: repositoryRoot)
        #expect(run.status == 64)
        #expect(run.stderr.contains("--format pdf needs --output FILE.pdf"))
    }
}
