import BulletinModel
import BulletinSite
import Foundation
import Testing

@Suite struct LinkCheckerTests {
    @Test func findsMissingFilesAnchorsAndEscapes() throws {
        let site = try TemporarySite([
            "out/index.html": """
                <a href="bulletins/">ok</a> <a href="missing/">gone</a>
                <a href="https://example.com/x">external</a> <a href="page.html#here">anchor</a>
                <a href="page.html#nowhere">bad anchor</a> <img src="../../etc/passwd" alt="">
                <a href="https://site.example/bulletins/">self absolute</a> <a href="https://site.example/nope/">self missing</a>
                <a href="/bulletins/">root-relative</a> <a href="%E5%BF%97%E6%84%BF/">encoded</a> <a href="#top">same page</a>
                <img srcset="page.html 480w, gone-960.webp 960w" alt="">
                """,
            "out/bulletins/index.html": "<p id=\"x\">x</p>",
            "out/page.html": "<h2 id=\"here\">h</h2>",
            "out/志愿/index.html": "<p>ok</p>",
            "out/sitemap.xml": "<urlset><url><loc>https://site.example/bulletins/</loc></url><url><loc>https://site.example/gone/</loc></url></urlset>",
        ])
        defer { site.remove() }
        let result = LinkChecker.check(output: site.root.appending(path: "out"), baseURL: "https://site.example/", displayPrefix: "out/")
        #expect(result.map(\.description) == [
            "out/index.html:1:38: error: broken link 'missing/': no file out/missing/",
            "out/index.html:3:10: error: broken link 'page.html#nowhere': out/page.html has no element with id 'nowhere'",
            "out/index.html:3:54: error: broken link '../../etc/passwd': it leads outside the site",
            "out/index.html:4:70: error: broken link 'https://site.example/nope/': no file out/nope/",
            "out/index.html:5:92: error: broken link '#top': out/index.html has no element with id 'top'",
            "out/index.html:6:14: error: broken link 'gone-960.webp': no file out/gone-960.webp",
            "out/sitemap.xml:1:72: error: broken link 'https://site.example/gone/': no file out/gone/",
        ])
    }

    @Test func theSampleSiteAndTheFixturesHaveNoBrokenLinks() async throws {
        for source in [repositoryRoot, repositoryRoot.appending(path: "Tests/BulletinTests/Fixtures/archive"),
                       repositoryRoot.appending(path: "Tests/BulletinTests/Fixtures/rich")] {
            let output = FileManager.default.temporaryDirectory.appending(path: "bulletin-links-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: output) }
            let options = BuildOptions(source: source, destination: output, includeDrafts: true)
            #expect(await SiteBuilder.build(options).succeeded)
            #expect(LinkChecker.check(output: output, baseURL: SiteBuilder.configuredBaseURL(options), displayPrefix: "").isEmpty)
        }
    }
}

@Suite struct CheckCommandTests {
    private func brokenSite() throws -> TemporarySite {
        try TemporarySite([
            "content/site.yaml": defaultSiteYAML,
            "content/a.md": "---\ntitle：坏\nissue: 1\ndate: 2017-03-07\n---\n",
            "content/b.md": bulletinFile(issue: 2, extra: "tagz: [x]"),
        ])
    }

    @Test func textFormat() throws {
        let site = try brokenSite()
        defer { site.remove() }
        let run = try CLITests.run(["check", "--source", site.root.path])
        #expect(run.status == 1)
        #expect(run.stdout == """
            content/a.md:2:6: error: full-width colon '：' after key 'title'; write an ASCII colon and a space, as in 'title: …' (键名后请使用半角冒号“:”并加空格)
                title：坏
                     ^
            content/b.md:5:1: warning: unknown key 'tagz' in the front matter; did you mean 'tags'?
                tagz: [x]
                ^
            1 error, 1 warning.

            """)
        #expect(!FileManager.default.fileExists(atPath: site.output.path), "check writes nothing")
    }

    @Test func githubFormat() throws {
        let site = try brokenSite()
        defer { site.remove() }
        let run = try CLITests.run(["check", "--source", site.root.path, "--format", "github"])
        #expect(run.status == 1)
        #expect(run.stdout == """
            ::error file=content/a.md,line=2,col=6::full-width colon '：' after key 'title'; write an ASCII colon and a space, as in 'title: …' (键名后请使用半角冒号“:”并加空格)
            ::warning file=content/b.md,line=5,col=1::unknown key 'tagz' in the front matter; did you mean 'tags'?

            """)
    }

    @Test func jsonFormat() throws {
        let site = try brokenSite()
        defer { site.remove() }
        let run = try CLITests.run(["check", "--source", site.root.path, "--format", "json"])
        let objects = run.stdout.split(separator: "\n").map { try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        #expect(objects.count == 2)
        #expect(objects[1]["file"] as? String == "content/b.md")
        #expect(objects[1]["line"] as? Int == 5)
        #expect(objects[1]["severity"] as? String == "warning")
    }

    @Test func strictTurnsWarningsIntoErrors() throws {
        let site = try TemporarySite(["content/site.yaml": defaultSiteYAML, "content/b.md": bulletinFile(extra: "tagz: [x]")])
        defer { site.remove() }
        #expect(try CLITests.run(["check", "--source", site.root.path]).status == 0)
        let strict = try CLITests.run(["check", "--source", site.root.path, "--strict", "--format", "github"])
        #expect(strict.status == 1)
        #expect(strict.stdout.hasPrefix("::error file=content/b.md,line=5,col=1::"))
    }

    @Test func linksOfTheBuiltSite() throws {
        let site = try TemporarySite(["content/site.yaml": defaultSiteYAML, "content/a.md": bulletinFile()])
        defer { site.remove() }
        #expect(try CLITests.run(["check", "--source", site.root.path, "--links"]).status == 1, "nothing built yet")
        #expect(try CLITests.run(["build", "--source", site.root.path]).status == 0)
        #expect(try CLITests.run(["check", "--source", site.root.path, "--links"]).stdout == "No problems found.\n")
        try site.write("<a href=\"nowhere/\">x</a>", to: "output/extra.html")
        let run = try CLITests.run(["check", "--source", site.root.path, "--links", "--format", "github"])
        #expect(run.status == 1)
        #expect(run.stdout == "::error file=output/extra.html,line=1,col=10::broken link 'nowhere/': no file output/nowhere/\n")
    }
}
