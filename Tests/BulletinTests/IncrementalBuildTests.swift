import BulletinMemo
import BulletinModel
@testable import BulletinSite
import BulletinSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Builds with the build cache against clean builds: after any edit, the cached build's output equals a clean
/// build's byte for byte, and only what an edit changed is rendered again.
@Suite struct IncrementalBuildTests {
    private func cachedBuild(_ site: TemporarySite, jobs: Int = 2, memory: BuildMemory? = nil,
                             changedFiles: ChangedFiles? = nil) async -> BuildReport {
        var options = BuildOptions(source: site.root, jobs: jobs)
        if let memory {
            options.memory = memory
            options.changedFiles = changedFiles
        } else {
            options.cacheFolder = site.root.appending(path: BuildOptions.cacheFolderName)
        }
        return await SiteBuilder.build(options)
    }

    /// Builds with the cache (in a folder, or in `memory` as `bulletin serve` keeps it), then without it
    /// elsewhere, and compares the two outputs.
    private func expectSameAsCleanBuild(_ site: TemporarySite, _ change: String, jobs: Int = 2,
                                        memory: BuildMemory? = nil, changedFiles: ChangedFiles? = nil) async -> BuildReport {
        let report = await cachedBuild(site, jobs: jobs, memory: memory, changedFiles: changedFiles)
        #expect(report.succeeded, "\(change): \(report.diagnostics)")
        let clean = site.root.appending(path: "clean")
        defer { try? FileManager.default.removeItem(at: clean) }
        #expect(await site.build(destination: clean).succeeded)
        let cached = TemporarySite.snapshot(site.output), expected = TemporarySite.snapshot(clean)
        #expect(cached.keys.sorted() == expected.keys.sorted(), "\(change)")
        let different = expected.keys.filter { cached[$0] != expected[$0] }.sorted()
        #expect(different.isEmpty, "\(change): differs from a clean build in \(different.prefix(5))")
        return report
    }

    private func bulletinPaths(_ site: TemporarySite) -> [String] {
        let folder = site.root.appending(path: "content/bulletins")
        let files = FileManager.default.enumerator(atPath: folder.path)?.compactMap { $0 as? String } ?? []
        return files.filter { $0.hasSuffix(".md") }.map { "content/bulletins/" + $0 }.sorted()
    }

    /// Where a build keeps what the next one starts from.
    enum CacheKind: CaseIterable, Sendable {
        /// `.bulletin-cache` in the site, as `bulletin build` keeps it.
        case folder
        /// In memory, as `bulletin serve` keeps it.
        case memory
        /// In memory, each build told the files changed (as `bulletin serve`'s watcher tells it), so that the
        /// others are not looked at.
        case memoryToldChanges
    }

    @Test(arguments: CacheKind.allCases)
    func randomEditsRebuildExactlyWhatACleanBuildBuilds(cache: CacheKind) async throws {
        let site = try CLITests.fixture("archive")
        defer { site.remove() }
        let memory = cache == .folder ? nil : BuildMemory()
        let toldChanges = cache == .memoryToldChanges
        // Files whose status changed within a second of a build's reading are looked at again anyway: the
        // untold ones must be older for the told changes to be all that is looked at.
        if toldChanges { try await Task.sleep(for: .milliseconds(1_100)) }
        let first = await expectSameAsCleanBuild(site, "first build", memory: memory)
        #expect(first.reusedFiles == 0)
        var random = SeededGenerator(seed: 20_171_305)
        var added = 0
        var updates = 0
        var kinds: Set<Int> = []
        for step in 0..<16 {
            let paths = bulletinPaths(site)
            let path = paths.randomElement(using: &random)!
            var text = try site.read(path, in: site.root)
            let change: String
            var changedPath = path
            let kind = Int.random(in: 0..<7, using: &random)
            kinds.insert(kind)
            switch kind {
            case 0:
                text += "\n新增的段落，第\(step)步。\n"
                change = "body of \(path) edited"
            case 1:
                let value = Int.random(in: 1...99_999, using: &random)
                if let range = text.range(of: #"value: [0-9,.万]+"#, options: .regularExpression) {
                    text.replaceSubrange(range, with: "value: \(value)")
                } else {
                    text = text.replacingOccurrences(of: "\n---\n", with: "\nstats:\n  - key: volunteer_hours\n    label: 志愿服务时长\n    value: \(value)\n    unit: 小时\n---\n")
                }
                change = "a stat of \(path) edited"
            case 2:
                text = text.replacingOccurrences(of: "title: ", with: "title: 改\(step)")
                change = "title of \(path) edited"
            case 3:
                added += 1
                try site.write(bulletinFile(title: "新增一期\(added)", issue: 10 + added, serial: 200 + added,
                                            date: "202\(Int.random(in: 1...4, using: &random))-0\(Int.random(in: 1...9, using: &random))-1\(added % 10)",
                                            extra: "tags: [文明餐桌]"),
                               to: "content/bulletins/2025/\(200 + added).md")
                change = "bulletin \(200 + added) added"
                changedPath = "content/bulletins/2025/\(200 + added).md"
            case 4 where paths.count > 2:
                try FileManager.default.removeItem(at: site.root.appending(path: path))
                change = "\(path) removed"
            case 5:
                let size = Int.random(in: 1...3, using: &random)
                let yaml = try site.read("content/site.yaml", in: site.root)
                try site.write(yaml.replacingOccurrences(of: #"page_size: [0-9]+"#, with: "page_size: \(size)", options: .regularExpression),
                               to: "content/site.yaml")
                change = "page_size set to \(size)"
                changedPath = "content/site.yaml"
            default:
                try site.write("<footer>第\(step)步的页脚</footer>\n", to: "templates/partials/site-footer.mustache")
                change = "site footer template overridden"
                changedPath = "templates/partials/site-footer.mustache"
            }
            if change.hasSuffix("edited") { try site.write(text, to: path) }
            let told = toldChanges ? ChangedFiles(paths: [site.root.appending(path: changedPath).standardizedFileURL.path],
                                                  listChanged: kind == 3 || kind == 4) : nil
            let report = await expectSameAsCleanBuild(site, "step \(step): \(change)", jobs: 1 + step % 3, memory: memory,
                                                      changedFiles: told)
            updates += report.searchIndex == .updated ? 1 : 0
            if change.hasPrefix("site footer") { #expect(report.searchIndex == .kept, "templates do not enter the index") }
        }
        #expect(kinds.count == 7, "the seeded sequence makes every kind of edit")
        #expect(updates >= 6, "most edits update the previous search index instead of building it again")
        if memory != nil {
            #expect(!FileManager.default.fileExists(atPath: site.root.appending(path: BuildOptions.cacheFolderName).path))
        }
    }

    /// The fixture archive built once with the build kept in memory, as `bulletin serve` does, its files older
    /// than a second when read (so that later builds told of no change trust the memory).
    private func archiveBuiltInMemory() async throws -> (site: TemporarySite, memory: BuildMemory) {
        let site = try CLITests.fixture("archive")
        try await Task.sleep(for: .milliseconds(1_100))
        let memory = BuildMemory()
        #expect(await cachedBuild(site, memory: memory).succeeded)
        return (site, memory)
    }

    @Test func aBuildToldWhichFilesChangedLooksAtNoOther() async throws {
        let (site, memory) = try await archiveBuiltInMemory()
        defer { site.remove() }
        let path = bulletinPaths(site)[0]
        let absolute = site.root.appending(path: path).standardizedFileURL.path
        try site.write(try site.read(path, in: site.root) + "\n未告知的修改。\n", to: path)
        let untold = await cachedBuild(site, memory: memory, changedFiles: ChangedFiles())
        #expect(untold.succeeded && untold.renderedFiles.isEmpty, "an edit no one told of is not seen")
        let told = await cachedBuild(site, memory: memory, changedFiles: ChangedFiles(paths: [absolute]))
        #expect(told.renderedFiles.contains { $0.hasPrefix("bulletins/") && $0.hasSuffix("index.html") })
        let texts = told.renderedFiles.filter { $0.hasSuffix(".txt") }
        #expect(texts.count == 1 && (try? site.read(texts[0]))?.contains("未告知的修改。") == true)
    }

    @Test func aCachedBulletinWhoseFileCannotBeReadAgainIsAnErrorNamingItNotAnEmptyPage() async throws {
        let (site, memory) = try await archiveBuiltInMemory()
        defer { site.remove() }
        let path = bulletinPaths(site)[0]
        try FileManager.default.removeItem(at: site.root.appending(path: path))
        // Told only of a template change: the bulletin is taken from memory, and its page must be rendered again.
        let footer = "templates/partials/site-footer.mustache"
        try site.write("<footer>改过的页脚</footer>\n", to: footer)
        let report = await cachedBuild(site, memory: memory,
                                       changedFiles: ChangedFiles(paths: [site.root.appending(path: footer).standardizedFileURL.path]))
        #expect(!report.succeeded)
        #expect(report.diagnostics.contains { $0.severity == .error && $0.location?.file == path && $0.message == "cannot read the file" },
                "\(report.diagnostics)")
    }

    @Test func anEditIsSeenEvenWhenItKeepsTheFileSizeAndModificationTime() async throws {
        let site = try CLITests.fixture("archive")
        defer { site.remove() }
        _ = await expectSameAsCleanBuild(site, "first build")
        // Files changed within a second before a build read them are read again by the next one anyway.
        try await Task.sleep(for: .milliseconds(1100))
        _ = await expectSameAsCleanBuild(site, "nothing changed")
        let path = "content/bulletins/2023/102.md", file = site.root.appending(path: path)
        var before = stat(), after = stat()
        #expect(stat(file.path, &before) == 0)
        let text = try site.read(path, in: site.root)
        let edited = text.replacingOccurrences(of: "文明", with: "精神", options: [], range: text.range(of: "文明", options: .backwards))
        #expect(edited != text && edited.utf8.count == text.utf8.count)
        // Written in place (same inode) and given back its modification time to the nanosecond.
        let handle = try FileHandle(forWritingTo: file)
        try handle.write(contentsOf: Data(edited.utf8))
        try handle.close()
        var times = [before.st_atim, before.st_mtim]
        #expect(utimensat(AT_FDCWD, file.path, &times, 0) == 0)
        #expect(stat(file.path, &after) == 0)
        #expect(after.st_ino == before.st_ino && after.st_size == before.st_size
            && after.st_mtim.tv_sec == before.st_mtim.tv_sec && after.st_mtim.tv_nsec == before.st_mtim.tv_nsec)
        let report = await expectSameAsCleanBuild(site, "same size and modification time")
        #expect(report.renderedFiles.contains("bulletins/2023/102/index.html"))
    }

    @Test func anIncrementalBuildRemovesWhatTheNewSiteLacksAndKeepsTopLevelDotfiles() async throws {
        let site = try CLITests.fixture("archive")
        defer { site.remove() }
        _ = await expectSameAsCleanBuild(site, "first build")
        try site.write("", to: "output/.gitkeep")
        try site.write("stray", to: "output/stray.html")
        try site.write("stray", to: "output/bulletins/2023/old/index.html")
        try site.write("stray", to: "output/tags/.hidden")
        try FileManager.default.removeItem(at: site.output.appending(path: "bulletins/2023/102/bulletin.txt"))
        try FileManager.default.createDirectory(at: site.output.appending(path: "bulletins/2023/102/bulletin.txt/inside"),
                                                withIntermediateDirectories: true)
        let path = "content/bulletins/2023/102.md"
        try site.write(try site.read(path, in: site.root) + "\n文末新增的一段。\n", to: path)
        let report = await cachedBuild(site)
        #expect(report.succeeded)
        #expect(report.renderedFiles == ["bulletins/2023/102/bulletin.txt", "bulletins/2023/102/index.html"])
        #expect(report.reusedFiles > 30, "the other pages are kept where they are")
        #expect(FileManager.default.fileExists(atPath: site.output.appending(path: ".gitkeep").path))
        let clean = site.root.appending(path: "clean")
        defer { try? FileManager.default.removeItem(at: clean) }
        #expect(await site.build(destination: clean).succeeded)
        var cached = TemporarySite.snapshot(site.output)
        cached[".gitkeep"] = nil
        #expect(cached == TemporarySite.snapshot(clean), "strays removed, the folder in a file's place replaced")
        let staging = site.output.deletingLastPathComponent().appending(path: ".output.staging")
        #expect(!FileManager.default.fileExists(atPath: staging.path))
    }

    /// With the memo in a folder (`bulletin build`), which works the aggregates out again, and in memory (`bulletin
    /// serve`), which keeps them.
    @Test(arguments: [false, true])
    func aBodyEditRendersOnlyThatBulletinsPageAndText(inMemory: Bool) async throws {
        let site = try CLITests.fixture("archive")
        defer { site.remove() }
        let memory = inMemory ? BuildMemory() : nil
        _ = await expectSameAsCleanBuild(site, "first build", memory: memory)
        let unchanged = await expectSameAsCleanBuild(site, "nothing changed", memory: memory)
        #expect(unchanged.renderedFiles.isEmpty)
        #expect(unchanged.searchIndex == .kept)
        #expect(unchanged.reusedBulletins == 5)
        #expect(unchanged.reusedFiles > 40)
        #expect(unchanged.reusedAggregates == inMemory)

        let path = "content/bulletins/2023/102.md"
        try site.write(try site.read(path, in: site.root) + "\n文末新增的一段。\n", to: path)
        let edited = await expectSameAsCleanBuild(site, "body edited", memory: memory)
        #expect(edited.renderedFiles == ["bulletins/2023/102/bulletin.txt", "bulletins/2023/102/index.html"])
        #expect(edited.reusedBulletins == 4)
        #expect(edited.searchIndex == .updated)
        #expect(edited.reusedAggregates == inMemory, "a body edit leaves every bulletin's facts as they were")
        #expect(try site.read("bulletins/2023/102/index.html").contains("文末新增的一段"))

        try site.write(try site.read(path, in: site.root).replacingOccurrences(of: "value: 1,310", with: "value: 1,320"), to: path)
        let stat = await expectSameAsCleanBuild(site, "stat edited", memory: memory)
        #expect(!stat.reusedAggregates)
        #expect(stat.renderedFiles.contains("stats/practice_stations/index.html"))
        #expect(!stat.renderedFiles.contains("stats/volunteer_hours/index.html"), "a stat page whose values did not change is kept")
        #expect(!stat.renderedFiles.contains("bulletins/2022/101/index.html"))
    }

    @Test func aCorruptOrOutdatedCacheIsIgnoredAndATamperedOutputRebuilt() async throws {
        let site = try CLITests.fixture("archive")
        defer { site.remove() }
        _ = await expectSameAsCleanBuild(site, "first build")
        let record = site.root.appending(path: "\(BuildOptions.cacheFolderName)/\(SiteBuilder.recordName)")
        let saved = try Data(contentsOf: record)

        try saved.prefix(saved.count / 2).write(to: record)
        let corrupt = await expectSameAsCleanBuild(site, "a cut-off cache record")
        #expect(corrupt.reusedFiles == 0 && corrupt.reusedBulletins == 0)

        var altered = Array(saved)
        altered[altered.count / 2] ^= 0x20
        try Data(altered).write(to: record)
        let flipped = await expectSameAsCleanBuild(site, "a cache record with one bit changed")
        #expect(flipped.reusedFiles == 0 && flipped.reusedBulletins == 0)

        var outdated = try #require(SiteMemo.load(from: record.path))
        #expect(outdated.format == SiteMemo.Record.currentFormat)
        outdated.format = 1
        SiteMemo.save(outdated, to: record.path)
        #expect(SiteMemo.load(from: record.path)?.format == 1)
        let old = await expectSameAsCleanBuild(site, "cache of an older format")
        #expect(old.reusedFiles == 0 && old.reusedBulletins == 0)

        try site.write("edited by hand", to: "output/bulletins/index.html")
        let tampered = await expectSameAsCleanBuild(site, "an output file edited by hand")
        #expect(tampered.renderedFiles == ["bulletins/index.html"])
    }

    @Test func theMemoRecordKeepsEveryFieldOfABulletinAndTheAggregates() async throws {
        let site = try CLITests.fixture("archive")
        defer { site.remove() }
        let content = SiteBuilder.load(site.root)
        var record = SiteMemo.Record(settings: 42)
        for loaded in content.bulletins {
            var facts = loaded.facts
            facts.diagnostics = [.warning("警告", at: SourceLocation(file: "a.md", line: 3, column: 5), sourceLine: "行")]
            record.sources[loaded.bulletin.sourcePath] = .init(key: loaded.sourceKey, stamp: SourceStamp(digest: 9, changed: -3), value: facts)
        }
        record.outputs["index.html"] = .init(fingerprint: .max, stamp: FileStamp(size: 10, modified: -1, inode: 7))
        let order = SiteOrder(content.bulletins, config: content.config)
        var aggregates = SiteAggregates(of: order, config: content.config)
        aggregates.diagnostics.append(.warning("警告", at: SourceLocation(file: "content/a.md", line: 3, column: 5), sourceLine: "行"))
        #expect(!aggregates.stats.isEmpty && !aggregates.exemplars.isEmpty && aggregates.taxonomies.contains { !$0.terms.isEmpty })
        #expect(aggregates.exemplars.contains { $0.mentions.contains { $0.exemplar.origin != nil } })
        record.aggregates = .init(key: 5, value: aggregates)
        #expect(record.sources.count == 5)
        #expect(record.sources.values.contains { !$0.stored.value!.bulletin.stats.isEmpty && !$0.stored.value!.bulletin.exemplars.isEmpty })

        let file = site.root.appending(path: "memo.bin").path
        SiteMemo.save(record, to: file)
        let decoded = try #require(SiteMemo.load(from: file))
        #expect(decoded.settings == 42)
        for (path, source) in record.sources {
            let read = try #require(decoded.sources[path])
            #expect(read.stored.value == nil, "decoded where it is used")
            let copy = try #require(try read.stored.decoded().value), original = try #require(source.stored.value)
            #expect(copy.bulletin == original.bulletin)
            #expect(read.key == source.key && read.stamp == source.stamp && copy.factsKey == original.factsKey)
            #expect(copy.summary == original.summary && copy.diagnostics == original.diagnostics)
            #expect(try BinaryCoding.encode(read.stored) == BinaryCoding.encode(source.stored), "saved again as it was read")
        }
        #expect(decoded.outputs["index.html"] == record.outputs["index.html"])
        #expect(decoded.aggregates == nil, "worked out again rather than read back from a folder")
        #expect(try BinaryCoding.decode(SiteAggregates.self, from: try BinaryCoding.encode(aggregates)) == aggregates)

        // A memo reuses the aggregates only for the facts they were made from, and only with the same settings.
        #expect(SiteMemo(previous: record, settings: 42).aggregates(key: 5) == aggregates)
        #expect(SiteMemo(previous: record, settings: 42).aggregates(key: 6) == nil)
        #expect(SiteMemo(previous: record, settings: 43).aggregates(key: 5) == nil)
        try Data(try Data(contentsOf: URL(fileURLWithPath: file)).dropLast()).write(to: URL(fileURLWithPath: file))
        #expect(SiteMemo.load(from: file) == nil, "a cut-off record is not read")

        // Whatever the bytes, decoding fails with an error, never a crash or an endless allocation.
        let encoded = try BinaryCoding.encode(record)
        for cut in stride(from: 0, to: encoded.count, by: max(1, encoded.count / 200)) {
            #expect(throws: (any Error).self) { try BinaryCoding.decode(SiteMemo.Record.self, from: Array(encoded.prefix(cut))) }
        }
        // A length past what an Int holds (ten bytes of varint) after the format.
        #expect(throws: (any Error).self) {
            try BinaryCoding.decode(String.self, from: [UInt8](repeating: 0xFF, count: 9) + [0x01, 0x41])
        }
        for round in 0..<2_000 {
            var noisy = encoded
            for change in 0..<4 { noisy[(round * 7_919 + change * 104_729) % noisy.count] = UInt8(truncatingIfNeeded: round * 31 + change * 97) }
            _ = try? BinaryCoding.decode(SiteMemo.Record.self, from: noisy)
        }
    }
}
