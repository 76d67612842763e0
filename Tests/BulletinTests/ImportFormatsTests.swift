@testable import BulletinImport
import Foundation
import Testing
import ZIPFoundation

/// Import of PDF, Word, scanned and web-page bulletins, and of files made to hurt the importer.
/// `scripts/import-check` scores every genre fixture as PDF, DOCX and text, and the print edition's round trip.
@Suite struct ImportFormatsTests {
    private static let genres = repositoryRoot.appending(path: "Tests/BulletinTests/Fixtures/import/genres")

    private func importFile(_ path: String) throws -> ImportedBulletin {
        let document = try ImportBatch.read(path)
        return Importer.importDocument(document, sourceName: path, options: ImportOptions())
    }

    /// A Word package holding `document` (the body of `word/document.xml`) and, when given, one picture.
    private func docx(_ body: String, picture: [UInt8]? = nil, pictureEntry: String = "word/media/image1.png",
                      pictureTarget: String = "media/image1.png", extra: [(String, [UInt8])] = []) throws -> [UInt8] {
        let archive = try Archive(accessMode: .create)
        func add(_ path: String, _ bytes: [UInt8]) throws {
            try archive.addEntry(with: path, type: .file, uncompressedSize: Int64(bytes.count), compressionMethod: .deflate) { position, size in
                Data(bytes[Int(position)..<Int(position) + size])
            }
        }
        let namespaces = #"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" "#
            + #"xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" "#
            + #"xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main""#
        try add("word/document.xml", Array("<?xml version=\"1.0\" encoding=\"UTF-8\"?><w:document \(namespaces)><w:body>\(body)</w:body></w:document>".utf8))
        if let picture {
            try add("word/_rels/document.xml.rels", Array("""
                <?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
                <Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="\(pictureTarget)"/>\
                </Relationships>
                """.utf8))
            try add(pictureEntry, picture)
        }
        for (path, bytes) in extra { try add(path, bytes) }
        return Array(archive.data!)
    }

    private func paragraph(_ text: String, size: Int = 32, bold: Bool = false, color: String? = nil, centred: Bool = false) -> String {
        let runProperties = "<w:rPr>" + (bold ? "<w:b/>" : "") + (color.map { "<w:color w:val=\"\($0)\"/>" } ?? "") + "<w:sz w:val=\"\(size)\"/></w:rPr>"
        let paragraphProperties = centred ? "<w:pPr><w:jc w:val=\"center\"/></w:pPr>" : "<w:pPr><w:ind w:firstLineChars=\"200\"/></w:pPr>"
        return "<w:p>\(paragraphProperties)<w:r>\(runProperties)<w:t xml:space=\"preserve\">\(text)</w:t></w:r></w:p>"
    }

    private static let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array(repeating: 7, count: 40)

    private var wordBulletin: String {
        paragraph("示例文明简报", size: 88, color: "FF0000", centred: true)
            + paragraph("第3期", centred: true) + paragraph("（总第45期）", centred: true)
            + paragraph("示例市文明办编　　　　2021年5月6日")
            + paragraph("示例市评出首批文明示范街区", size: 44, bold: true, centred: true)
            + "<w:p><w:r><w:rPr><w:b/></w:rPr><w:t>东城区</w:t></w:r><w:r><w:t>五一期间开展了“文明示范街区”评选，结果如下。</w:t></w:r></w:p>"
            + "<w:tbl><w:tr><w:tc><w:p><w:r><w:t>序号</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>街区</w:t></w:r></w:p></w:tc></w:tr>"
            + "<w:tr><w:tc><w:p><w:r><w:t>1</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>湖滨</w:t></w:r><w:r><w:t>街区</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"
            + "<w:p><w:r><w:drawing><a:blip r:embed=\"rId9\"/></w:drawing></w:r></w:p>"
            + paragraph("报：省文明办") + paragraph("示例市文明办　　2021年5月6日印发")
    }

    @Test func wordStylesTablesAndPictures() throws {
        let document = try DOCXReader.read(try docx(wordBulletin, picture: Self.png))
        let imported = Importer.importDocument(document, sourceName: "45.docx", options: ImportOptions())
        let markdown = imported.markdown
        for line in ["title: 示例市评出首批文明示范街区\n", "series: 示例文明简报\n", "issue: 3\n", "serial: 45\n", "date: 2021-05-06\n",
                     "  - 示例市文明办\n", "  report_to: [省文明办]\n"] {
            #expect(markdown.contains(line), "missing \(line)")
        }
        #expect(markdown.contains("**东城区**五一期间"), "a bold lead run is a run-in heading")
        #expect(markdown.contains("```table\n序号,街区\n1,湖滨街区\n```"), "a Word table is a table block")
        #expect(markdown.contains("![](45/image-1.png)"))
        #expect(imported.files.map(\.path) == ["2021/45/image-1.png"])
        #expect(imported.files.first?.bytes == Self.png)
        #expect(imported.relativePath == "2021/45.md")
    }

    @Test func entryNamesNeverBecomePaths() throws {
        let site = try TemporarySite()
        defer { site.remove() }
        try FileManager.default.createDirectory(at: site.root, withIntermediateDirectories: true)
        let file = site.root.appending(path: "45.docx")
        try Data(try docx(wordBulletin, picture: Self.png, pictureEntry: "../../escaped.png", pictureTarget: "../../../escaped.png")).write(to: file)
        let into = site.root.appending(path: "imported")
        let outcome = ImportBatch.run([file.path], into: into, options: ImportOptions(), dryRun: false, force: false)
        #expect(outcome.failures.isEmpty, "\(outcome.failures)")
        #expect(TemporarySite.snapshot(site.root).keys.sorted() == ["45.docx", "imported/2021/45.md"], "nothing is written outside the import folder")
        #expect(outcome.reports.contains { $0.contains("(../../../escaped.png) is missing or not PNG, JPEG, GIF or WebP and was left out") })
    }

    /// `picture.docx` (python-docx) and `picture.pdf` (LibreOffice's PDF of it): a paragraph, a photo, a paragraph.
    @Test(arguments: ["picture.docx", "picture.pdf"])
    func picturesAreWrittenBesideTheBulletinWhereTheyStand(name: String) throws {
        let imported = try importFile(repositoryRoot.appending(path: "Tests/BulletinTests/Fixtures/import/\(name)").path)
        #expect(imported.markdown.contains("title: 志愿者服务队走进社区\n"))
        #expect(imported.markdown.contains("家电维修等服务。\n\n![](2/image-1.png)\n\n活动受到居民欢迎"), "\(imported.markdown)")
        #expect(imported.files.map(\.path) == ["2021/2/image-1.png"])
        #expect(imported.files.first?.bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]) == true)
    }

    @Test func zipBombsAreRefusedBeforeTheyInflate() throws {
        let zeros = [UInt8](repeating: 0, count: 8 << 20)
        let bomb = try docx(paragraph("正文。"), extra: [("word/media/zeros.bin", zeros)])
        #expect(bomb.count < 100_000)
        #expect(throws: ImportError.self) { try DOCXReader.read(bomb) }
        do {
            _ = try DOCXReader.read(bomb)
        } catch {
            #expect(error.description.contains("zip bomb"), "\(error)")
        }
        let many = try docx(paragraph("正文。"), extra: (0..<30).map { ("word/part\($0).xml", [UInt8]("<a/>".utf8)) })
        #expect(throws: ImportError.self) { try DOCXReader.read(many, limits: DOCXReader.Limits(entries: 20)) }
        #expect(throws: ImportError.self) { try DOCXReader.read(try docx(paragraph("正文。")), limits: DOCXReader.Limits(totalBytes: 100)) }
    }

    @Test(arguments: [
        #"<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>"#,
        #"<!DOCTYPE w:document [<!ENTITY a "哈哈哈哈哈哈哈哈"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>"#,
    ])
    func entitiesAreNeverExpanded(declaration: String) throws {
        let archive = try Archive(accessMode: .create)
        let xml = Array(("<?xml version=\"1.0\"?>" + declaration
            + #"<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>&xxe;&b;</w:t></w:r></w:p></w:body></w:document>"#).utf8)
        try archive.addEntry(with: "word/document.xml", type: .file, uncompressedSize: Int64(xml.count)) { position, size in
            Data(xml[Int(position)..<Int(position) + size])
        }
        do {
            let document = try DOCXReader.read(Array(archive.data!))
            Issue.record("read: \(document.lines.map(\.text))")
        } catch {
            #expect(error.description.contains("declares a document type or entities"), "\(error)")
        }
    }

    @Test func notAPackageAndOldWordFilesAreErrorsThatSayWhatToDo() throws {
        #expect(throws: ImportError.self) { try DOCXReader.read(Array("这不是压缩包".utf8)) }
        let site = try TemporarySite()
        defer { site.remove() }
        try FileManager.default.createDirectory(at: site.root, withIntermediateDirectories: true)
        let file = site.root.appending(path: "1998-3.doc")
        try Data("\u{D0}\u{CF}".utf8).write(to: file)
        do {
            _ = try ImportBatch.read(file.path)
            Issue.record("a .doc file was read")
        } catch {
            #expect(error.description.contains("soffice --headless --convert-to docx"), "\(error)")
        }
    }

    @Test func aPDFsLayoutGivesItsMastheadTitleTablesAndRules() throws {
        let imported = try importFile(Self.genres.appending(path: "hongheibang/source.pdf").path)
        let markdown = imported.markdown
        #expect(imported.report.format == "PDF, 2 pages")
        for line in ["title: 9月份全市文明城市创建“红黑榜”\n", "series: 创建全国文明城市工作简报\n", "issue: 15\n", "serial: 73\n", "date: 2019-09-30\n"] {
            #expect(markdown.contains(line), "missing \(line)")
        }
        #expect(markdown.contains("```table\n序号,单位,综合得分,主要亮点\n1,东城区湖滨街道,96.5,背街小巷整治成效明显\n"), "columns that line up are a table")
        #expect(markdown.contains("4,北山区石桥街道,75.4,公益广告破损未及时更换，整改不彻底\n"), "a cell wrapped in its column stays one cell")
        #expect(!markdown.contains("- 2 -") && !markdown.contains("印发"), "page numbers and the 版记 are not body")
    }

    @Test func aScanIsOCRdAndSaysHowSureItIs() throws {
        let imported = try importFile(Self.genres.appending(path: "scanned/source.pdf").path)
        #expect(imported.report.format.hasPrefix("scanned PDF, 1 page (OCR, mean confidence "))
        #expect(imported.report.warnings.contains { $0.hasPrefix("OCR'd 1 of 1 page") })
        #expect(imported.markdown.contains("title: 我市扎实推进新时代文明实践中心建设\n"))
        #expect(imported.markdown.contains("series: 精神文明建设简报\n"), "the 44 pt masthead, read again at a smaller scale")
        #expect(imported.markdown.contains("## 一、坚持高位推动，构建全域覆盖的组织体系\n"))
    }

    @Test func lowConfidenceParagraphsCarryAReviewComment() {
        var line = SourceLine(text: "文明实践站建设稳步推进。")
        line.confidence = 41
        line.isParagraph = true
        var sure = SourceLine(text: "全市共建成实践站1204个。")
        sure.confidence = 96
        sure.isParagraph = true
        let body = BodyReflow.reflow([line, sure], hasLayout: false)
        #expect(body.blocks == [.check("OCR confidence 41%: compare with the scan"), .paragraph("文明实践站建设稳步推进。"),
                                .paragraph("全市共建成实践站1204个。")])
        #expect(body.lowConfidenceParagraphs == 1)
    }

    @Test func withoutTesseractAScanIsAnErrorNamingThePackages() throws {
        let empty = try TemporarySite()
        defer { empty.remove() }
        try FileManager.default.createDirectory(at: empty.root, withIntermediateDirectories: true)
        let run = try CLITests.run(["import", "--dry-run", Self.genres.appending(path: "scanned/source.pdf").path],
                                   in: empty.root, environment: ["PATH": empty.root.path])
        #expect(run.status == 2)
        #expect(run.stderr.contains("has no text layer (a scan) and OCR is not installed: apt-get install tesseract-ocr tesseract-ocr-chi-sim"),
                "\(run.stderr)")
    }

    @Test func aFileOverItsTimeLimitFailsAlone() throws {
        let empty = try TemporarySite()
        defer { empty.remove() }
        try FileManager.default.createDirectory(at: empty.root, withIntermediateDirectories: true)
        let run = try CLITests.run(["import", "--dry-run", "--time-limit", "1", Self.genres.appending(path: "scanned/source.pdf").path,
                                    Self.genres.appending(path: "jianxun/source.docx").path], in: empty.root)
        #expect(run.status == 2)
        #expect(run.stderr.contains("scanned/source.pdf: stopped") && run.stderr.contains("time limit") && run.stderr.contains("(--time-limit)"), "\(run.stderr)")
        #expect(run.stderr.contains("Imported 1 of 2 files."))
        #expect(run.stdout.contains("title: 各地精神文明建设工作简讯"))
    }

    @Test func aWebPageKeepsItsParagraphsAndItsLabelledMasthead() {
        let text = """
            [2015年第4期]《文明动态》
            来源：示例市文明办
            http://www.example.gov.cn/wmdt/1.html
            时间：2015-04-08 10:20
            东城区开展清明文明祭扫活动。4月初，东城区组织志愿者在各公墓开展文明祭扫引导。（东城区文明办）
            西城区举办道德讲堂。4月3日，西城区第五十期道德讲堂开讲，市民200余人参加。（西城区文明办）
            """
        let markdown = Importer.importText(text, sourceName: "web.txt", encoding: "UTF-8", options: ImportOptions()).markdown
        for line in ["series: 文明动态\n", "issue: 4\n", "date: 2015-04-08\n", "  - 示例市文明办\n", "# import: masthead — http://www.example.gov.cn/wmdt/1.html\n"] {
            #expect(markdown.contains(line), "missing \(line)")
        }
        #expect(!markdown.contains("title:"), "a text without a title has none (the first item is not made one)")
        #expect(markdown.contains("\n**东城区开展清明文明祭扫活动**。4月初"))
        #expect(markdown.contains("\n**西城区举办道德讲堂**。4月3日"), "each 简讯 item is its own paragraph")
    }

    @Test func anOfficialDocumentsHeadAndSignature() {
        let text = """
            示例市精神文明建设委员会办公室
            示文明办〔2022〕5号
            关于印发《示例市2022年文明城市创建
            工作要点》的通知
            各区文明办：
            现将工作要点印发给你们，请认真贯彻落实。全市建成区绿化覆盖率提高2.3个百分点，市、区两级要在10个工作日内上报。
            附件：示例市2022年文明城市创建工作要点
            示例市精神文明建设委员会办公室
            2022年3月1日
            准印号：示新出内准字（2022）第3号
            """
        let imported = Importer.importText(text, sourceName: "notice.txt", encoding: "UTF-8", options: ImportOptions())
        let markdown = imported.markdown
        for line in ["title: 关于印发《示例市2022年文明城市创建工作要点》的通知\n", "date: 2022-03-01   # import: check — from the 落款\n",
                     "  - 示例市精神文明建设委员会办公室\n", "# import: masthead — 示文明办〔2022〕5号\n",
                     "# import: imprint — 准印号：示新出内准字（2022）第3号\n"] {
            #expect(markdown.contains(line), "missing \(line)")
        }
        let body = String(markdown[markdown.range(of: "\n---\n")!.upperBound...])
        #expect(body == "\n各区文明办：\n\n现将工作要点印发给你们，请认真贯彻落实。全市建成区绿化覆盖率提高2.3个百分点，市、区两级要在10个工作日内上报。\n")
        #expect(!markdown.contains("stats:"), "percentage points and durations are not counts")
        #expect(!markdown.contains("districts:"), "建成区 and 市、区 are not places")
        #expect(imported.report.missing == ["series", "issue", "serial"])
    }

    @Test func theSitesOwnDistrictsArePlacesToo() throws {
        let site = try TemporarySite(["content/bulletins/2020/1.md": """
            ---
            title: 南湖新区文明创建
            series: 示例简报
            issue: 1
            date: 2020-01-06
            publishers: [示例市文明办]
            districts: [南湖新区]
            ---

            正文。
            """, "archive/2.txt": "示例简报\n第2期\n示例市文明办  2020年2月3日\n\n新区动态\n\n南湖新区开展文明劝导，桐庐县也派人参加。\n"])
        defer { site.remove() }
        let run = try CLITests.run(["import", "--dry-run", "--source", site.root.path, site.root.appending(path: "archive/2.txt").path])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("districts: [南湖新区, 桐庐县]\n"), "\(run.stdout)")
    }

    @Test func wrappedTextWithHeadingsOnTheirOwnLinesAndImprintLines() {
        let text = """
            示例简报
            第5期
            示例市文明办编    2018年4月2日
            全市文明实践工作推进会召开
            4月1日，全市文明实践工作推进会召开，会议总结了去年
            的工作，部署了今年的任务，各区文明办负责同志参加。
            一、主要成效
            去年全市新建实践站120个，志愿服务队伍不断壮大，群众
            满意度明显提升。
            （一）阵地建设
            各区新建实践站均达到标准。
            报：省文明办
            示例市文明办  2018年4月2日印发
            （共印300份）
            责任编辑：王明
            投稿专用邮箱：wmb@example.cn
            """
        let markdown = Importer.importText(text, sourceName: "5.txt", encoding: "UTF-8", options: ImportOptions()).markdown
        let body = String(markdown[markdown.range(of: "\n---\n")!.upperBound...])
        #expect(body == """

            4月1日，全市文明实践工作推进会召开，会议总结了去年的工作，部署了今年的任务，各区文明办负责同志参加。

            ## 一、主要成效

            去年全市新建实践站120个，志愿服务队伍不断壮大，群众满意度明显提升。

            ### （一）阵地建设

            各区新建实践站均达到标准。

            """)
        for line in ["title: 全市文明实践工作推进会召开\n", "  report_to: [省文明办]\n", "# import: imprint — 责任编辑：王明\n",
                     "# import: imprint — 投稿专用邮箱：wmb@example.cn\n", "# import: 版记 says 共印300份\n"] {
            #expect(markdown.contains(line), "missing \(line)")
        }
    }

    @Test func districtsComeFromTheGazetteerAndTheSite() {
        #expect(Facts.districtNames(in: "萧山区北干街道和桐庐县、建德市的社区") == ["萧山区", "桐庐县", "建德市"])
        #expect(Facts.districtNames(in: "全市建成区和市、区两级，城区和景区").isEmpty)
        #expect(Facts.districtNames(in: "南湖新区开展活动", known: ["南湖新区"]) == ["南湖新区"])
    }
}
