import BulletinModel
import BulletinSite
import Foundation
import Testing

/// The repository root (holding the sample site in content/ and templates/).
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// A site written into a fresh temporary folder: `files` maps paths below the site folder to contents.
struct TemporarySite {
    let root: URL

    init(_ files: [String: String] = [:], bytes: [String: [UInt8]] = [:]) throws {
        root = FileManager.default.temporaryDirectory.appending(path: "bulletin-test-\(UUID().uuidString)")
        for (path, text) in files { try write(Array(text.utf8), to: path) }
        for (path, data) in bytes { try write(data, to: path) }
    }

    func write(_ bytes: [UInt8], to path: String) throws {
        let url = root.appending(path: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: url)
    }

    func write(_ text: String, to path: String) throws { try write(Array(text.utf8), to: path) }

    var output: URL { root.appending(path: "output") }

    func build(jobs: Int = 2, drafts: Bool = false, destination: URL? = nil) async -> BuildReport {
        await SiteBuilder.build(BuildOptions(source: root, destination: destination, includeDrafts: drafts, jobs: jobs))
    }

    func read(_ path: String, in folder: URL? = nil) throws -> String {
        try String(contentsOf: (folder ?? output).appending(path: path), encoding: .utf8)
    }

    /// Every file below `folder` with its bytes, keyed by relative path.
    static func snapshot(_ folder: URL) -> [String: Data] {
        var files: [String: Data] = [:]
        let base = folder.standardizedFileURL.path
        guard let enumerator = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.isRegularFileKey]) else { return [:] }
        for case let url as URL in enumerator where (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
            files[String(url.standardizedFileURL.path.dropFirst(base.count + 1))] = try? Data(contentsOf: url)
        }
        return files
    }

    func remove() { try? FileManager.default.removeItem(at: root) }
}

/// A valid bulletin file with `overrides` replacing or adding front-matter lines (`key: value`).
func bulletinFile(title: String = "测试简报", issue: Int = 1, serial: Int? = nil, date: String = "2017-03-07",
                  extra: String = "", body: String = "## 一、正文\n\n正文内容。\n") -> String {
    var lines = ["---", "title: \(title)", "issue: \(issue)"]
    if let serial { lines.append("serial: \(serial)") }
    lines.append("date: \(date)")
    if !extra.isEmpty { lines.append(extra) }
    lines.append("---")
    return lines.joined(separator: "\n") + "\n\n" + body
}

/// site.yaml with defaults for series and publishers.
let defaultSiteYAML = """
    title: 测试站点
    base_url: https://bulletins.example.net/
    series: 测试精神文明建设·信息交流
    publishers:
      - 测试市文明办

    """

/// Compares `actual` with the golden file `Golden/name`; with BULLETIN_RECORD=1 rewrites it and fails.
func expectGolden(_ actual: String, _ name: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
    let url = repositoryRoot.appending(path: "Tests/BulletinTests/Golden/\(name)")
    if ProcessInfo.processInfo.environment["BULLETIN_RECORD"] == "1" {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(actual.utf8).write(to: url)
        Issue.record("recorded golden file \(name); review it and run the tests again without BULLETIN_RECORD", sourceLocation: sourceLocation)
        return
    }
    let expected = try String(contentsOf: url, encoding: .utf8)
    #expect(actual == expected, "differs from Golden/\(name); re-record with BULLETIN_RECORD=1 after review", sourceLocation: sourceLocation)
}
