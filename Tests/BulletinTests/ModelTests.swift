import BulletinModel
import BulletinSupport
import Foundation
import Testing

@Suite struct QuantityTests {
    @Test(arguments: [
        ("27093", "27093", "27,093", "27,093"),
        ("27,093", "27093", "27,093", "27,093"),
        ("989258.5", "989258.5", "989,258.5", "989,258.5"),
        ("19.4万", "194000", "194,000", "19.4万"),
        ("1.2亿", "120000000", "120,000,000", "1.2亿"),
        ("5万", "50000", "50,000", "5万"),
        ("012", "12", "12", "12"),
        ("２７０９３", "27093", "27,093", "27,093"),
        ("0.50", "0.5", "0.5", "0.5"),
        ("-3", "-3", "-3", "-3"),
        ("1234567", "1234567", "1,234,567", "1,234,567"),
    ])
    func parsesBulletinNumbers(text: String, plain: String, grouped: String, display: String) throws {
        let value = try Quantity.parse(text).get()
        #expect(value.plain == plain)
        #expect(value.grouped == grouped)
        #expect(value.display == display)
    }

    @Test(arguments: ["1:20", "0x10", "1e5", "", "万", "1.", ".5", "1,2", "12,34", "abc", "1.2.3", "19.4千"])
    func rejectsWhatIsNotANumber(text: String) {
        #expect(throws: Quantity.ParseProblem.self) { try Quantity.parse(text).get() }
    }

    @Test func tooManyDigitsIsAnError() {
        #expect(Quantity.parse("123456789012345678901") == .failure(.tooLarge))
    }

    @Test func magnitudeFormatting() throws {
        #expect(try Quantity.parse("989258.5").get().chineseMagnitude() == "98.93万")
        #expect(try Quantity.parse("194000").get().chineseMagnitude() == "19.4万")
        #expect(try Quantity.parse("120000000").get().chineseMagnitude() == "1.2亿")
        #expect(try Quantity.parse("9999").get().chineseMagnitude() == "9,999")
    }

    @Test func equalityIgnoresNotation() throws {
        #expect(try Quantity.parse("19.4万").get() == Quantity.parse("194,000").get())
        #expect(try Quantity.parse("19.4万").get() < Quantity.parse("194000.5").get())
    }
}

@Suite struct CalendarDateTests {
    @Test func parsesRealDates() throws {
        let date = try CalendarDate.parse("2017-03-07").get()
        #expect(date.chinese == "2017年3月7日")
        #expect(date.iso == "2017-03-07")
        #expect(try CalendarDate.parse("2024-02-29").get().day == 29)
    }

    @Test func rejectsDaysNotOnTheCalendar() {
        #expect(CalendarDate.parse("2024-02-30") == .failure(.noSuchDay(daysInMonth: 29)))
        #expect(CalendarDate.parse("2023-02-29") == .failure(.noSuchDay(daysInMonth: 28)))
        #expect(CalendarDate.parse("1900-02-29") == .failure(.noSuchDay(daysInMonth: 28)))
        #expect(CalendarDate.parse("2017-13-01") == .failure(.noSuchDay(daysInMonth: 0)))
        #expect(CalendarDate.parse("2017-04-31") == .failure(.noSuchDay(daysInMonth: 30)))
    }

    @Test(arguments: ["2017-3-7", "17-03-07", "2017/03/07", "2017-03-07T00:00:00Z", "二〇一七年三月七日", ""])
    func rejectsOtherForms(text: String) {
        #expect(CalendarDate.parse(text) == .failure(.malformed))
    }
}

@Suite struct DisplayWidthTests {
    @Test(arguments: [
        ("abc", 3), ("杭州", 4), ("２７", 4), ("“小青荷”", 10), ("…", 2), ("27093户", 7), ("😀", 2), ("e\u{301}", 1), ("　", 2),
    ])
    func countsDisplayColumns(text: String, width: Int) {
        #expect(DisplayWidth.of(text) == width)
    }

    @Test func ambiguousCharactersCanBeNarrow() {
        #expect(DisplayWidth.of("“a”", ambiguousIsWide: false) == 3)
    }
}

@Suite struct DiagnosticTests {
    @Test func caretLinesUpUnderWideCharacters() {
        let source = SourceText(path: "content/a.md", text: "---\ntitle：标题\n---\n")
        let diagnostic = source.diagnostic(.error, "full-width colon", line: 2, column: 6)
        #expect(diagnostic.rendered == "content/a.md:2:6: error: full-width colon\n    title：标题\n         ^")
        let wide = source.diagnostic(.warning, "here", line: 2, column: 7)
        #expect(wide.rendered.hasSuffix("\n    title：标题\n           ^"))
    }

    @Test func aBulletinKnowsWhereEachFieldWasWritten() {
        let at = { (line: Int, column: Int) in Origin(location: SourceLocation(file: "content/a.md", line: line, column: column)) }
        let bulletin = Bulletin(sourcePath: "content/a.md", title: "标题", series: "系列", issue: 1, serial: nil,
                                date: CalendarDate(year: 2017, month: 1, day: 5)!, publishers: ["文明办"],
                                origins: ["title": at(2, 8), "date": at(4, 7), "issue": at(3, 8)])
        #expect(bulletin.recordedOrigins.map(\.field) == ["date", "issue", "title"])
        #expect(bulletin.recordedOrigin(of: "issue") == at(3, 8))
        #expect(bulletin.recordedOrigin(of: "serial") == nil)
        #expect(bulletin.origin(of: "serial") == Origin(location: SourceLocation(file: "content/a.md", line: 1, column: 1), quotesLine: false))
        #expect(bulletin.origin(of: "date").diagnostic(.error, "x").sourceLineToRead)
    }

    @Test func sourceLinesReadLaterAreTheLinesOfTheDecodedText() throws {
        let folder = FileManager.default.temporaryDirectory.appending(path: "bulletin-lines-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let files: [String: [UInt8]] = [
            "lf.md": Array("---\ntitle: 标题\n---\n\n正文\n".utf8),
            "crlf.md": Array("---\r\ntitle: 标题\r\n---\r\n\r\n正文\r\n".utf8),
            "bom.md": [0xEF, 0xBB, 0xBF] + Array("---\ntitle: 标题\n---".utf8),
            "empty.md": [],
        ]
        for (name, bytes) in files { try Data(bytes).write(to: folder.appending(path: name)) }
        for (name, bytes) in files {
            let decoded = try? SourceText.decode(bytes, limit: 1 << 20).get()
            let source = decoded.map { SourceText(path: name, text: $0) }
            let asked = (1...7).map { Diagnostic(.warning, "w", at: SourceLocation(file: name, line: $0, column: 1), sourceLineToRead: true) }
            let read = asked.readingSourceLines(in: folder.path)
            #expect(read.map(\.sourceLine) == (1...7).map { source?.line($0) }, "\(name)")
            #expect(read.allSatisfy { !$0.sourceLineToRead })
        }
    }

    @Test func sortsByFileThenLine() {
        let a = Diagnostic.error("x", at: SourceLocation(file: "content/b.md", line: 1, column: 1))
        let b = Diagnostic.error("y", at: SourceLocation(file: "content/a.md", line: 9, column: 1))
        let c = Diagnostic.error("z", at: SourceLocation(file: "content/a.md", line: 2, column: 5))
        let d = Diagnostic.error("no location")
        #expect([a, b, c, d].sortedForOutput().map(\.message) == ["no location", "z", "y", "x"])
    }

    @Test func decodingRejectsInvalidUTF8WithItsPosition() {
        #expect(SourceText.decode([0x61, 0x0A, 0x62, 0xC3, 0x28], limit: 100) == .failure(.invalidUTF8(offset: 3, line: 2, column: 2)))
        #expect(SourceText.decode([0xED, 0xA0, 0x80], limit: 100) == .failure(.invalidUTF8(offset: 0, line: 1, column: 1)))
        #expect(SourceText.decode(Array("a\r\nb\rc".utf8), limit: 100) == .success("a\nb\nc"))
    }
}

@Suite struct VarIntTests {
    /// Values of one to ten bytes, in a slice that does not start at zero (as the index's shard records are read).
    static let values: [UInt64] = (0..<400).map { number in
        let bytes = UInt64(number % 10)
        return bytes == 9 ? .max : (UInt64(1) << (7 * bytes)) + UInt64(number)
    }

    static func encoded() -> ArraySlice<UInt8> {
        var bytes: [UInt8] = [0xFF, 0x01]
        for value in values { VarInt.append(value, to: &bytes) }
        bytes += [0x80, 0x80]
        return bytes[2...]
    }

    @Test(arguments: [0, 1, 7, 8, 9, 15, 16, 17, 63, 64, 65, 200, 399, 400])
    func skippingLandsWhereReadingDoes(count: Int) throws {
        var skipped = VarIntReader(Self.encoded())
        var read = VarIntReader(Self.encoded())
        try skipped.skip(count)
        for _ in 0..<count { _ = try read.unsigned() }
        #expect(skipped.offset == read.offset)
        if count < Self.values.count { #expect(try skipped.unsigned() == Self.values[count]) }
    }

    @Test func skippingPastTheEndIsMalformed() {
        var reader = VarIntReader(Self.encoded())
        #expect(throws: VarIntReader.Malformed.self) { try reader.skip(401) }
    }
}
