import BulletinModel
import BulletinTemplates
import Foundation
import Testing

@Suite struct TemplateTests {
    private func build(templates: [String: String]) async throws -> [String] {
        var files = templates.mapKeys { "templates/" + $0 }
        files["content/site.yaml"] = defaultSiteYAML
        files["content/a.md"] = bulletinFile()
        let site = try TemporarySite(files)
        defer { site.remove() }
        let report = await site.build()
        #expect(!report.succeeded)
        #expect(!FileManager.default.fileExists(atPath: site.output.path))
        return report.diagnostics.map(\.description)
    }

    @Test func syntaxErrorNamesTemplateLineAndColumn() async throws {
        let result = try await build(templates: ["home.mustache": "{{<layout}}\n{{$main}}\n{{#bulletins}}\n{{title}}\n{{/main}}\n{{/layout}}\n"])
        #expect(result == [
            "templates/home.mustache:5:4: error: template syntax error: a section is closed with a different name than it was opened with",
        ])
    }

    @Test func missingPartialNamesTheReference() async throws {
        let result = try await build(templates: ["partials/site-footer.mustache": "<footer>\n  {{> partials/no-such-partial}}\n</footer>\n"])
        #expect(result == [
            "templates/partials/site-footer.mustache:2:3: error: partial 'partials/no-such-partial' not found: expected templates/partials/no-such-partial.mustache",
        ])
    }

    @Test func missingParentTemplate() async throws {
        let result = try await build(templates: ["year.mustache": "{{<no-layout}}{{$main}}x{{/main}}{{/no-layout}}\n"])
        #expect(result == [
            "templates/year.mustache:1:1: error: parent template 'no-layout' not found: expected templates/no-layout.mustache",
        ])
    }

    @Test func everyTemplateAndPartialEscapesHTMLByCodePoint() throws {
        let folder = FileManager.default.temporaryDirectory.appending(path: "bulletin-escape-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder.appending(path: "partials"), withIntermediateDirectories: true)
        try "{{value}}|{{{value}}}".write(to: folder.appending(path: "partials/probe.mustache"), atomically: true, encoding: .utf8)
        try "{{value}}/{{> partials/probe}}".write(to: folder.appending(path: "probe.mustache"), atomically: true, encoding: .utf8)
        let library = try TemplateLibrary.load(siteTemplatesDirectory: folder).get()
        // A '<' followed by a combining mark is one Character, which Character-wise escaping would let through.
        let value = "<\u{301}a & \"b\" 'c' 青荷>"
        let escaped = "&lt;\u{301}a &amp; &quot;b&quot; &#39;c&#39; 青荷&gt;"
        #expect(library.render("probe", context: ["value": value]) == "\(escaped)/\(escaped)|\(value)")
    }

    /// Contexts reach the engine as its fast representation (`TemplateValues`): what a template can do with a
    /// dictionary, a string, a list and a number is what it could do with them as plain Swift values.
    @Test func transformsAndSectionsSeeContextsAsPlainValues() throws {
        let folder = FileManager.default.temporaryDirectory.appending(path: "bulletin-transforms-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let template = """
            {{uppercased(title)}}|{{#sorted(names)}}{{.}},{{/sorted(names)}}|{{#first(names)}}{{.}}{{/first(names)}}|\
            {{count(names)}}|{{count(site)}}|{{#sorted(site)}}{{key}}={{value}};{{/sorted(site)}}|{{#empty(none)}}empty{{/empty(none)}}|\
            {{#site}}{{name}}{{/site}}|{{^missing}}no{{/missing}}|{{#blank}}[{{.}}]{{/blank}}|{{#plusone(year)}}{{.}}{{/plusone(year)}}|\
            {{#even(year)}}even{{/even(year)}}|{{#entries}}{{#first()}}^{{/first()}}{{title}}{{^last()}}/{{/last()}}{{/entries}}|{{#flag}}yes{{/flag}}
            """
        try template.write(to: folder.appending(path: "probe.mustache"), atomically: true, encoding: .utf8)
        let library = try TemplateLibrary.load(siteTemplatesDirectory: folder).get()
        let context: [String: Any] = [
            "title": "a<b", "names": ["乙", "甲", "丙"], "none": [String](), "site": ["name": "杭州", "id": "hz"], "blank": "",
            "year": 2017, "entries": [["title": "一"], ["title": "二"]] as [[String: Any]], "flag": true,
        ]
        #expect(library.render("probe", context: context)
            == "A&lt;B|丙,乙,甲,|乙|3|2|id=hz;name=杭州;|empty|杭州|no|[]|2018||^一/二|yes")
    }

    @Test func defaultTemplatesLoadCleanly() throws {
        let library = try TemplateLibrary.load(siteTemplatesDirectory: nil).get()
        #expect(library.names.isSuperset(of: TemplateLibrary.requiredTemplates))
        #expect(library.staticFiles.map(\.path) == ["favicon.svg", "search.js", "style.css", "table-sort.js"])
    }

    @Test func embeddedDefaultsAreTheRepositoryTemplates() throws {
        for file in TemplateLibrary.defaultFiles {
            let onDisk = try Data(contentsOf: repositoryRoot.appending(path: "templates/\(file.path)"))
            #expect(Array(onDisk) == file.bytes, "templates/\(file.path) differs from the embedded copy")
        }
    }

    @Test func formattingHelpersInViewModels() throws {
        let stat = Stat(key: "hours", label: "时长", value: try Quantity.parse("19.4万").get(), unit: "小时")
        let context = ViewModel.quantity(stat.value)
        #expect(context["display"] as? String == "19.4万")
        #expect(context["grouped"] as? String == "194,000")
        #expect(context["plain"] as? String == "194000")
        #expect(ViewModel.date(CalendarDate(year: 2017, month: 3, day: 7)!)["chinese"] as? String == "2017年3月7日")
    }
}

extension Dictionary {
    func mapKeys<K: Hashable>(_ transform: (Key) -> K) -> [K: Value] {
        Dictionary<K, Value>(uniqueKeysWithValues: map { (transform($0.key), $0.value) })
    }
}
