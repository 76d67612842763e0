import BulletinServer
import BulletinSite
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The preview server on a real socket on 127.0.0.1.
@Suite(.serialized) struct ServerTests {
    /// A running preview of a temporary copy of the fixture archive.
    final class Preview: @unchecked Sendable {
        let site: TemporarySite
        let server: PreviewServer
        let task: Task<Void, Error>
        let port: UInt16

        init(allowedHosts: [String] = []) async throws {
            site = try CLITests.fixture("archive")
            let preview = site.root.appending(path: ".preview")
            var build = BuildOptions(source: site.root, destination: preview)
            build.memory = BuildMemory()  // as `bulletin serve` does
            let server = PreviewServer(options: .init(build: build, port: 0, allowedHosts: allowedHosts), log: { _ in })
            self.server = server
            let (ports, continuation) = AsyncStream<UInt16>.makeStream()
            task = Task { try await server.run { continuation.yield($0) } }
            var iterator = ports.makeAsyncIterator()
            port = await iterator.next() ?? 0
        }

        func stop() {
            task.cancel()
            site.remove()
        }

        /// Waits until the server has completed more than `count` builds.
        /// Waits until a build that started after `mark` (the server's started builds before an edit) has finished.
        func waitForBuild(after mark: Int) async throws {
            for _ in 0..<600 where await server.lastFinishedStart <= mark { try await Task.sleep(for: .milliseconds(50)) }
        }
    }

    @Test func servesPagesWithContentTypesAndTheReloadScript() async throws {
        let preview = try await Preview()
        defer { preview.stop() }
        let home = try RawHTTP.get(port: preview.port, path: "/")
        #expect(home.status == 200)
        #expect(home.headers.contains("Content-Type: text/html; charset=utf-8"))
        #expect(home.body.contains("示例市精神文明建设·信息交流"))
        #expect(home.body.contains("<script src=\"/__bulletin/reload.js\"></script>\n</body>"))
        let script = try RawHTTP.get(port: preview.port, path: PreviewServer.reloadScriptPath)
        #expect(script.status == 200)
        #expect(script.headers.contains("Content-Type: text/javascript; charset=utf-8"))
        #expect(script.body.contains("new EventSource(\"/__bulletin/events\")"))
        let text = try RawHTTP.get(port: preview.port, path: "/bulletins/2023/102/bulletin.txt")
        #expect(text.status == 200)
        #expect(text.headers.contains("Content-Type: text/plain; charset=utf-8"))
        #expect(!text.body.contains("__bulletin"))
        let built = try String(contentsOf: preview.site.root.appending(path: ".preview/index.html"), encoding: .utf8)
        #expect(!built.contains("__bulletin"), "the reload script is injected when serving, never written")
    }

    /// Inline `<script>` elements, `<style>` elements and `style` attributes in `html`: what the pages'
    /// Content-Security-Policy would block.
    static func inlineScriptsAndStyles(_ html: String) throws -> [String] {
        let pattern = try Regex("<script(?![^>]*\\ssrc=)[^>]*>|<style[\\s>]|\\sstyle=")
        return html.matches(of: pattern).map { String(html[$0.range]) }
    }

    /// The pages' Content-Security-Policy forbids inline scripts: the reload script is a file of its own.
    @Test func servedPagesCarryThePolicyAndNoInlineScriptOrStyle() async throws {
        let preview = try await Preview()
        defer { preview.stop() }
        for path in ["/", "/bulletins/2023/102/", "/stats/volunteer_hours/", "/search/", "/no-such-page/"] {
            let page = try RawHTTP.get(port: preview.port, path: path)
            #expect(page.body.contains(ContentSecurityPolicy.meta), "\(path)")
            #expect(try Self.inlineScriptsAndStyles(page.body).isEmpty, "\(path)")
        }
    }

    @Test func everyTraversalAttemptIsANotFoundAndTheServerStaysUp() async throws {
        let preview = try await Preview()
        defer { preview.stop() }
        let outside = preview.site.root.deletingLastPathComponent().appending(path: "secret-\(UUID().uuidString).txt")
        try Data("secret".utf8).write(to: outside)
        defer { try? FileManager.default.removeItem(at: outside) }
        try FileManager.default.createSymbolicLink(
            at: preview.site.root.appending(path: ".preview/static/escape.txt"), withDestinationURL: outside)
        let name = outside.lastPathComponent
        for path in ["/../\(name)", "/../../\(name)", "/%2e%2e/\(name)", "/%2E%2E/%2e%2e/\(name)", "/static/..%2f..%2f\(name)",
                     "/..%2f\(name)", "/index.html%00.txt", "/static/%00", "/..\\\(name)", "/static/escape.txt",
                     "/%252e%252e/\(name)"] {
            let response = try RawHTTP.get(port: preview.port, path: path)
            #expect(response.status == 404, "\(path) gave \(response.status)")
            #expect(!response.body.contains("secret"))
        }
        #expect(try RawHTTP.get(port: preview.port, path: "/").status == 200)
    }

    /// DNS rebinding: a page on `evil.example` that rebinds its name to 127.0.0.1 sends `Host: evil.example`.
    @Test func requestsForOtherHostsAreRefusedEverywhere() async throws {
        let preview = try await Preview()
        defer { preview.stop() }
        for host in ["evil.example", "evil.example:1313", "localhost.evil.example", "127.0.0.1.nip.io", "localhost.", "evil.example, localhost",
                     "localhost@evil.example", "[::2]", "::1", "", nil] as [String?] {
            for path in ["/", "/bulletins/2023/102/", PreviewServer.eventsPath, "/data/stats.csv", "/no-such-page/", "/../etc/passwd"] {
                let response = try RawHTTP.get(port: preview.port, path: path, host: host)
                #expect(response.status == 403, "Host \(host ?? "(none)") \(path) gave \(response.status)")
                #expect(response.headers.contains("Content-Type: text/plain; charset=utf-8"))
                #expect(response.body.contains("--allowed-host"), "the refusal says how to allow a name: \(response.body)")
                #expect(!response.body.contains("示例市"), "nothing of the site in a refusal")
            }
        }
        let refusal = try RawHTTP.get(port: preview.port, path: "/", host: "evil.example")
        #expect(refusal.body.hasPrefix("403 Forbidden: this preview answers only requests addressed to localhost, 127.0.0.1, [::1],"))
        #expect(refusal.body.contains("this request was for 'evil.example'"))
    }

    @Test func loopbackNamesAnyPortAreAnswered() async throws {
        let preview = try await Preview()
        defer { preview.stop() }
        for host in ["localhost:1313", "127.0.0.1", "localhost", "LocalHost:80", "127.0.0.1:\(preview.port)", "[::1]:1313", "[::1]"] {
            let response = try RawHTTP.get(port: preview.port, path: "/", host: host)
            #expect(response.status == 200, "Host \(host) gave \(response.status)")
            #expect(response.body.contains("示例市精神文明建设·信息交流"))
        }
        let events = try RawHTTP.EventReader(port: preview.port, path: PreviewServer.eventsPath, host: "localhost:1313")
        defer { events.close() }
        #expect(try events.waitFor(": connected"))
    }

    @Test func aNameGivenWithAllowedHostIsAnswered() async throws {
        let preview = try await Preview(allowedHosts: ["preview.example", "Tablet.Local:8080"])
        defer { preview.stop() }
        for host in ["preview.example", "preview.example:1313", "tablet.local", "localhost"] {
            #expect(try RawHTTP.get(port: preview.port, path: "/", host: host).status == 200, "Host \(host)")
        }
        #expect(try RawHTTP.get(port: preview.port, path: "/", host: "evil.example").status == 403)
        #expect(try RawHTTP.get(port: preview.port, path: "/", host: "other.preview.example").status == 403)
    }

    /// No `Access-Control-*` header on any answer, whatever `Origin` the request names.
    @Test func noCORSHeadersAreSent() async throws {
        let preview = try await Preview()
        defer { preview.stop() }
        for (host, path) in [("localhost", "/"), ("localhost", "/search/index.json"), ("localhost", "/no-such-page/"),
                             ("evil.example", "/"), ("evil.example", PreviewServer.eventsPath)] {
            let response = try RawHTTP.get(port: preview.port, path: path, host: host, headers: ["Origin: http://evil.example"])
            #expect(response.status != 0)
            #expect(!response.headers.lowercased().contains("access-control-"), "\(host) \(path): \(response.headers)")
        }
    }

    @Test func anEditIsServedAndAnnouncedAndABrokenFileShowsTheOverlayUntilFixed() async throws {
        let preview = try await Preview()
        defer { preview.stop() }
        let events = try RawHTTP.EventReader(port: preview.port, path: PreviewServer.eventsPath)
        defer { events.close() }
        let file = "content/bulletins/2024/104.md"
        let original = try String(contentsOf: preview.site.root.appending(path: file), encoding: .utf8)

        var builds = await preview.server.startedBuilds
        try preview.site.write(original.replacingOccurrences(of: "示例市表彰最美志愿服务社区", with: "示例市表彰最美志愿服务社区（修订）"), to: file)
        try await preview.waitForBuild(after: builds)
        #expect(try events.waitFor("event: reload"))
        #expect(try RawHTTP.get(port: preview.port, path: "/bulletins/2024/104/").body.contains("示例市表彰最美志愿服务社区（修订）"))

        builds = await preview.server.startedBuilds
        try preview.site.write(original.replacingOccurrences(of: "issue: 1", with: "issue：1"), to: file)
        try await preview.waitForBuild(after: builds)
        let overlay = try RawHTTP.get(port: preview.port, path: "/bulletins/2024/104/")
        #expect(overlay.status == 500)
        #expect(overlay.body.contains("构建失败 · Build failed"))
        #expect(overlay.body.contains("content/bulletins/2024/104.md:3:6: error: full-width colon"))
        #expect(overlay.body.contains("<script src=\"/__bulletin/reload.js\"></script>"))
        #expect(overlay.body.contains(ContentSecurityPolicy.meta))
        #expect(try Self.inlineScriptsAndStyles(overlay.body).isEmpty)
        #expect(try RawHTTP.get(port: preview.port, path: PreviewServer.overlayStylePath).headers.contains("Content-Type: text/css; charset=utf-8"))

        builds = await preview.server.startedBuilds
        try preview.site.write(original, to: file)
        try await preview.waitForBuild(after: builds)
        let fixed = try RawHTTP.get(port: preview.port, path: "/bulletins/2024/104/")
        #expect(fixed.status == 200)
        #expect(fixed.body.contains("示例市表彰最美志愿服务社区"))
    }
}

/// The `Host` values the preview answers, without a server.
@Suite struct HostAllowListTests {
    @Test func namesArePortlessAndLowerCasedAndAnythingElseIsRefused() {
        let list = HostAllowList(listeningOn: "::1", extra: ["Preview.Example:8080", "192.168.1.5", "fe80::1"])
        #expect(list.names == ["localhost", "127.0.0.1", "[::1]", "preview.example", "192.168.1.5", "[fe80::1]"])
        for host in ["localhost", "LOCALHOST:1313", "127.0.0.1:0", "[::1]:80", "preview.example", "192.168.1.5:1313", "[FE80::1]"] {
            #expect(list.allows(host: host), "\(host)")
        }
        for host in [nil, "", ":1313", "localhost:abc", "localhost:1313:1", "localhost/", "user@localhost", "local host", "localhost.",
                     "evil.example", "[::1", "[::1]x", "[localhost]", "::1", "localhost\t", "ｌｏｃａｌｈｏｓｔ"] as [String?] {
            #expect(!list.allows(host: host), "\(host ?? "(none)")")
        }
        #expect(HostAllowList.hostName("http://preview.example/") == nil)
        #expect(HostAllowList(listeningOn: "0.0.0.0").names == ["localhost", "127.0.0.1", "[::1]", "0.0.0.0"])
    }
}

/// A minimal HTTP/1.1 client over a socket, so request targets reach the server exactly as written.
enum RawHTTP {
    struct Response {
        var status: Int
        var headers: String
        var body: String
    }

    static func connect(port: UInt16) throws -> Int32 {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else { close(descriptor); throw POSIXError(.ECONNREFUSED) }
        return descriptor
    }

    /// Sends a GET of `path` with `host` as its `Host` header (none when nil) and `headers` (`Name: value`).
    static func send(_ descriptor: Int32, path: String, host: String? = "127.0.0.1", headers: [String] = []) {
        let lines = ["GET \(path) HTTP/1.1"] + (host.map { ["Host: \($0)"] } ?? []) + headers + ["Connection: close"]
        let request = Array((lines.joined(separator: "\r\n") + "\r\n\r\n").utf8)
        _ = request.withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, 0) }
    }

    static func get(port: UInt16, path: String, host: String? = "127.0.0.1", headers: [String] = []) throws -> Response {
        let descriptor = try connect(port: port)
        defer { close(descriptor) }
        send(descriptor, path: path, host: host, headers: headers)
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = recv(descriptor, &buffer, buffer.count, 0)
            if count <= 0 { break }
            data += buffer[0..<count]
        }
        let text = String(decoding: data, as: UTF8.self)
        let parts = text.components(separatedBy: "\r\n\r\n")
        let head = parts.first ?? ""
        let status = Int(head.split(separator: " ").dropFirst().first ?? "") ?? 0
        return Response(status: status, headers: head, body: parts.dropFirst().joined(separator: "\r\n\r\n"))
    }

    /// Reads a server-sent event stream as it arrives.
    final class EventReader {
        let descriptor: Int32
        private var received = ""

        init(port: UInt16, path: String, host: String = "127.0.0.1") throws {
            descriptor = try RawHTTP.connect(port: port)
            RawHTTP.send(descriptor, path: path, host: host)
        }

        /// Whether `text` arrives within the socket's timeout.
        func waitFor(_ text: String) throws -> Bool {
            var buffer = [UInt8](repeating: 0, count: 4096)
            while !received.contains(text) {
                let count = recv(descriptor, &buffer, buffer.count, 0)
                if count <= 0 { return false }
                received += String(decoding: buffer[0..<count], as: UTF8.self)
            }
            return true
        }

        func close() { Glibc.close(descriptor) }
    }
}
