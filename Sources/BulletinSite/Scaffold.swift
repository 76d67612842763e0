import BulletinModel
import BulletinTemplates
import Foundation

/// `bulletin new` and `bulletin init`: files editors start from.
public enum Scaffold {
    /// A new bulletin file for the next issue of `series` (its name or, on a site of several series, its slug;
    /// the site's default when nil) on `date` (today in the site's time zone when nil): issue one after the
    /// series' latest in that year (1 in a new year), serial one after the latest serial. On a site of several
    /// series the file goes to `content/<slug>/<year>/`. Returns the written path, relative to the site.
    /// Refuses to overwrite an existing file.
    public static func newBulletin(site: URL, series requested: String?, date requestedDate: CalendarDate?, title: String?) async
        -> Result<String, DiagnosticList> {
        let content = SiteBuilder.load(site)
        if content.diagnostics.hasErrors { return .failure(DiagnosticList(content.diagnostics.sortedForOutput())) }
        let date = requestedDate ?? today(in: content.config.timeZone)
        let listed = content.config.seriesList
        let names = listed.map { "\($0.name) (\($0.slug))" }.joined(separator: ", ")
        guard var series = requested ?? content.config.series else {
            let hint = listed.isEmpty ? "set 'series' in content/site.yaml" : "one of \(names)"
            return .failure(DiagnosticList([.error("no series: pass --series, \(hint)")]))
        }
        var folder = "bulletins"
        if !listed.isEmpty {
            guard let settings = listed.first(where: { $0.name == series || $0.slug == series }) else {
                return .failure(DiagnosticList([.error("--series '\(series)' is not one of the series in content/site.yaml: \(names)")]))
            }
            series = settings.name
            if listed.count > 1 { folder = settings.slug }
        }
        let ofSeries = content.bulletins.map(\.bulletin).filter { $0.series == series }
        let issue = (ofSeries.filter { $0.date.year == date.year }.map(\.issue).max() ?? 0) + 1
        let serial = ofSeries.compactMap(\.serial).max().map { $0 + 1 }
        let relative = "content/\(folder)/\(date.year)/\(serial ?? issue).md"
        let file = site.appending(path: relative)
        if FileManager.default.fileExists(atPath: file.path) {
            return .failure(DiagnosticList([.error("\(relative) already exists; bulletin new never overwrites a file")]))
        }
        var lines = ["---", "title: \(title ?? "（标题）")"]
        if series != content.config.series { lines.append("series: \(series)") }
        lines += ["issue: \(issue)                # 第\(issue)期"]
        if let serial { lines.append("serial: \(serial)             # 总第\(serial)期") }
        lines += ["date: \(date.iso)"]
        if content.config.publishers.isEmpty && content.config.seriesSettings(series)?.publishers.isEmpty != false {
            lines += ["publishers:", "  - （编发单位）"]
        }
        lines += [
            "tags: []",
            "districts: []",
            "# stats: figures of this issue; the same key means the same measure in every bulletin",
            "stats: []",
            "#  - key: family_volunteer_households",
            "#    label: 注册家庭志愿者家庭",
            "#    value: 27093              # 19.4万 and 27,093 are numbers too",
            "#    unit: 户",
            "#    as_of: \(date.year - 1)-12-31",
            "# exemplars: organization | project | community | person",
            "exemplars: []",
            "#  - name: （名称）",
            "#    kind: organization",
            "#    honor: （荣誉）",
            "distribution:",
            "  report_to: []",
            "  send_to: []",
            "---",
            "",
            "（导语）",
            "",
            "## 一、（标题）",
            "",
            "（正文）",
            "",
            "## 二、（标题）",
            "",
            "（正文）",
            "",
        ]
        do {
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(lines.joined(separator: "\n").utf8).write(to: file, options: .withoutOverwriting)
        } catch {
            return .failure(DiagnosticList([.error("cannot write \(relative): \(error.localizedDescription)")]))
        }
        return .success(relative)
    }

    /// Today's date in the site's time zone.
    public static func today(in zone: String) -> CalendarDate {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: zone) ?? TimeZone(secondsFromGMT: 8 * 3600)!
        let parts = calendar.dateComponents([.year, .month, .day], from: Date())
        return CalendarDate(year: parts.year!, month: parts.month!, day: parts.day!)!
    }

    /// A new site in `directory`: commented `content/site.yaml`, one example bulletin, `.gitignore`, and a copy
    /// of the default templates when asked. Refuses a folder that already has `content/`.
    public static func newSite(at directory: URL, withTemplates: Bool, date: CalendarDate) -> Result<[String], DiagnosticList> {
        let content = directory.appending(path: "content")
        if FileManager.default.fileExists(atPath: content.path) {
            return .failure(DiagnosticList([.error("\(content.path) already exists; bulletin init only creates new sites")]))
        }
        var files: [(String, [UInt8])] = [
            ("content/site.yaml", Array(siteYAML.utf8)),
            ("content/bulletins/\(date.year)/1.md", Array(exampleBulletin(date: date).utf8)),
            (".gitignore", Array("/output/\n/.output.*\n/.bulletin-cache/\n".utf8)),
        ]
        if withTemplates { files += TemplateLibrary.defaultFiles.map { ("templates/" + $0.path, $0.bytes) } }
        do {
            for (path, bytes) in files {
                let url = directory.appending(path: path)
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(bytes).write(to: url, options: .withoutOverwriting)
            }
        } catch {
            return .failure(DiagnosticList([.error("cannot create the site in \(directory.path): \(error.localizedDescription)")]))
        }
        return .success(files.map(\.0))
    }

    static let siteYAML = """
        # Site settings for Bulletin. Every key is optional.
        title: 精神文明建设·信息交流              # site title
        # base_url: https://example.org/bulletins/  # where the site is published: needed for feed.xml and sitemap.xml
        language: zh-CN
        time_zone: Asia/Shanghai                  # dates stay calendar dates
        series: 精神文明建设·信息交流             # default series of bulletins that omit it
        publishers:                               # default publishers of bulletins that omit them
          - 市精神文明建设委员会办公室
        text_width: 56                            # plain-text edition: display columns (28 Chinese characters)
        page_size: 20                             # entries per page on long lists
        unsafe_html: false                        # keep raw HTML in Markdown only when true

        """

    static func exampleBulletin(date: CalendarDate) -> String {
        """
        ---
        title: 示例简报：把这里换成本期标题
        issue: 1
        serial: 1
        date: \(date.iso)
        tags: [示例]
        stats:
          - key: example_volunteers
            label: 示例数据：注册志愿者
            value: 1.2万
            unit: 名
        ---

        这是 `bulletin init` 生成的示例简报。用 `bulletin new` 开始下一期，用 `bulletin serve` 边写边预览。

        ## 一、示例标题

        正文写在这里。

        """
    }
}
