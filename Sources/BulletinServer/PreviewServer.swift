import BulletinModel
import BulletinSite
import FlyingFox
import FlyingSocks
import Foundation

/// `bulletin serve`: builds the site into a private folder, serves it over HTTP, rebuilds when content,
/// templates or site.yaml change and tells open pages to reload (server-sent events). A failed build is shown
/// as an overlay page listing the diagnostics until a later build succeeds. A `<script src>` of the reload
/// script (below `/__bulletin/`, as the pages' Content-Security-Policy allows only the site's own scripts) is
/// injected into served pages only; `bulletin build` output never contains it. Requests addressed to a name
/// not in its `HostAllowList` are refused.
public actor PreviewServer {
    public struct Options: Sendable {
        public var build: BuildOptions
        public var host: String
        public var port: UInt16
        /// Whether each build's stage times are logged after its summary.
        public var timings: Bool
        /// Names besides the loopback ones and `host` that requests may be addressed to (`--allowed-host`).
        public var allowedHosts: [String]

        public init(build: BuildOptions, host: String = "127.0.0.1", port: UInt16 = 1313, timings: Bool = false,
                    allowedHosts: [String] = []) {
            self.build = build
            self.host = host
            self.port = port
            self.timings = timings
            self.allowedHosts = allowedHosts
        }
    }

    /// The path of the event stream that tells pages to reload.
    public static let eventsPath = "/__bulletin/events"
    /// The path of the script served pages load to reload (a file of its own: the pages' Content-Security-Policy
    /// forbids inline scripts).
    public static let reloadScriptPath = "/__bulletin/reload.js"
    /// The path of the error overlay's stylesheet (a file of its own for the same reason).
    public static let overlayStylePath = "/__bulletin/overlay.css"

    private let options: Options
    private let hosts: HostAllowList
    private var lastReport: BuildReport?
    private var generation = 0
    private var subscribers: [UUID: AsyncStream<[UInt8]>.Continuation] = [:]
    private let log: @Sendable (String) -> Void

    /// `options.build.destination` is where the preview is written (with `options.build.memory` set,
    /// rebuilds decode and render only what an edit changed); `log` receives the text of each event (a build's
    /// diagnostics together).
    public init(options: Options, log: @escaping @Sendable (String) -> Void) {
        self.options = options
        self.hosts = HostAllowList(listeningOn: options.host, extra: options.allowedHosts)
        self.log = log
    }

    /// Builds, then serves until the task is cancelled. `onListening` receives the bound port.
    public func run(onListening: @escaping @Sendable (UInt16) -> Void = { _ in }) async throws {
        // Watching before the first build: the changes during it are those the next build is told of.
        let source = options.build.source
        let watcher = try FileWatcher(folders: [source.appending(path: "content"), source.appending(path: "templates")])
        await rebuild()
        let server = HTTPServer(address: try Self.address(host: options.host, port: options.port), logger: .disabled)
        await server.appendRoute("GET,HEAD *") { [self] request in
            await self.respond(to: request)
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
            group.addTask {
                try await server.waitUntilListening()
                if case let .ip4(_, port)? = await server.listeningAddress { onListening(port) }
                if case let .ip6(_, port)? = await server.listeningAddress { onListening(port) }
            }
            group.addTask { [self] in
                // An edit often comes as several batches (a write, then its close): one rebuild covers every
                // batch read before it started.
                var covered = 0
                for await _ in watcher.changes {
                    try await Task.sleep(for: .milliseconds(25))
                    let batches = watcher.batches
                    guard batches != covered else { continue }
                    covered = batches
                    await self.rebuild(changes: watcher.takeChanges())
                }
            }
            try await group.waitForAll()
        }
    }

    private static func address(host: String, port: UInt16) throws -> any SocketAddress {
        if host == "localhost" { return try sockaddr_in.inet(ip4: "127.0.0.1", port: port) }
        if host.contains(":") { return try sockaddr_in6.inet6(ip6: host, port: port) }
        return try sockaddr_in.inet(ip4: host, port: port)
    }

    /// Rebuilds the preview and tells every open page to reload. `changes` are the files a watcher saw change
    /// since the previous rebuild (nil when not known); they are told to the build with those of the rebuilds
    /// since the last one that succeeded (its record is the one the build starts from).
    func rebuild(changes: ChangedFiles? = nil) async {
        startedBuilds += 1
        let started = startedBuilds
        let changed = unbuiltChanges.flatMap { unbuilt in changes.map { unbuilt.merging($0) } }
        var build = options.build
        build.changedFiles = changed
        let report = await SiteBuilder.build(build)
        unbuiltChanges = report.succeeded ? ChangedFiles() : changed
        lastReport = report
        generation += 1
        lastFinishedStart = started
        let event = Array("event: reload\ndata: \(generation)\n\n".utf8)
        for continuation in subscribers.values { continuation.yield(event) }
        if !report.diagnostics.isEmpty { log(report.diagnostics.map(\.rendered).joined(separator: "\n")) }
        log(report.summary)
        if options.timings { report.timingLines.forEach(log) }
    }

    /// The changes of the builds since the last that succeeded (after the first); nil when not known.
    private var unbuiltChanges: ChangedFiles?

    /// The number of builds started: a build numbered higher than this read the files as they are now.
    public private(set) var startedBuilds = 0
    /// The start number of the last finished build (for tests waiting on a rebuild that saw an edit).
    public private(set) var lastFinishedStart = 0

    /// Answers a request: 403 unless its `Host` is allowed (every path, the event stream included), then the
    /// event stream, the error overlay, a file of the preview or the 404 page. No CORS headers are ever sent.
    func respond(to request: HTTPRequest) async -> HTTPResponse {
        let host = request.headers[.host]
        guard hosts.allows(host: host) else {
            let headers: HTTPHeaders = [.contentType: "text/plain; charset=utf-8", .cacheControl: "no-store",
                                         HTTPHeader("X-Content-Type-Options"): "nosniff"]
            return HTTPResponse(statusCode: .forbidden, headers: headers, body: Data(HostAllowList.refusal(host: host).utf8))
        }
        let target = request.target.path()
        if target == Self.eventsPath { return eventStream() }
        if target == Self.reloadScriptPath { return asset(ReloadScript.source, type: "text/javascript; charset=utf-8") }
        if target == Self.overlayStylePath { return asset(ErrorOverlay.style, type: "text/css; charset=utf-8") }
        if let report = lastReport, !report.succeeded {
            return html(ErrorOverlay.page(report.diagnostics), status: .internalServerError)
        }
        let root = options.build.resolvedDestination
        guard let file = SafePath.resolve(target, root: root), let data = FileManager.default.contents(atPath: file.path) else {
            let notFound = root.appending(path: "404.html")
            if let page = FileManager.default.contents(atPath: notFound.path) {
                return html(String(decoding: page, as: UTF8.self), status: .notFound)
            }
            return HTTPResponse(statusCode: .notFound, headers: [.contentType: "text/plain; charset=utf-8"], body: Data("404 Not Found\n".utf8))
        }
        let type = SafePath.contentType(of: file)
        if type.hasPrefix("text/html") { return html(String(decoding: data, as: UTF8.self), status: .ok) }
        return HTTPResponse(statusCode: .ok, headers: [.contentType: type, .cacheControl: "no-store"], body: data)
    }

    private func html(_ page: String, status: HTTPStatusCode) -> HTTPResponse {
        HTTPResponse(statusCode: status, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
                     body: Data(ReloadScript.inject(into: page).utf8))
    }

    private func asset(_ text: String, type: String) -> HTTPResponse {
        HTTPResponse(statusCode: .ok, headers: [.contentType: type, .cacheControl: "no-store"], body: Data(text.utf8))
    }

    private func eventStream() -> HTTPResponse {
        let id = UUID()
        let (stream, continuation) = AsyncStream<[UInt8]>.makeStream()
        continuation.yield(Array(": connected \(generation)\n\n".utf8))
        continuation.onTermination = { [weak self] _ in
            Task { await self?.unsubscribe(id) }
        }
        subscribers[id] = continuation
        return HTTPResponse(
            statusCode: .ok,
            headers: [.contentType: "text/event-stream", .cacheControl: "no-store"],
            body: HTTPBodySequence(from: ByteChunks(stream: stream)))
    }

    private func unsubscribe(_ id: UUID) {
        subscribers[id] = nil
    }
}

/// The script served pages get: reload when the server says so. Pages load it from
/// `PreviewServer.reloadScriptPath`, the same origin, as their Content-Security-Policy allows.
enum ReloadScript {
    static let source = """
        (function(){var s=new EventSource("\(PreviewServer.eventsPath)");s.addEventListener("reload",function(){location.reload();});})();

        """

    static let tag = "<script src=\"\(PreviewServer.reloadScriptPath)\"></script>"

    static func inject(into page: String) -> String {
        guard let end = page.range(of: "</body>", options: .backwards) else { return page + tag }
        return page.replacingCharacters(in: end.lowerBound..<end.lowerBound, with: tag + "\n")
    }
}

/// The page shown instead of the site while the last build failed, under the pages' Content-Security-Policy
/// (its stylesheet is served from `PreviewServer.overlayStylePath`).
enum ErrorOverlay {
    static let style = """
        body{font-family:sans-serif;margin:2rem;background:#fff8f8}h1{color:#c8161d}pre{white-space:pre-wrap;font-size:14px}
        li.error pre{border-left:4px solid #c8161d;padding-left:.75rem}li.warning pre{border-left:4px solid #b26a00;padding-left:.75rem}

        """

    static func page(_ diagnostics: [Diagnostic]) -> String {
        let items = diagnostics.map { diagnostic in
            "<li class=\"\(diagnostic.severity.rawValue)\"><pre>\(escape(diagnostic.rendered))</pre></li>"
        }.joined(separator: "\n")
        return """
            <!DOCTYPE html>
            <html lang="zh-CN">
            <head><meta charset="utf-8">\(ContentSecurityPolicy.meta)<title>构建失败 · Build failed</title>
            <link rel="stylesheet" href="\(PreviewServer.overlayStylePath)">
            </head>
            <body>
            <h1>构建失败 · Build failed</h1>
            <p>修改源文件后页面会自动刷新。Fix the files below; this page reloads when the build succeeds.</p>
            <ol>
            \(items)
            </ol>
            </body>
            </html>
            """
    }

    private static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}

/// Server-sent event chunks as the buffered byte sequence FlyingFox streams (chunked transfer encoding).
struct ByteChunks: AsyncBufferedSequence, Sendable {
    typealias Element = UInt8
    let stream: AsyncStream<[UInt8]>

    func makeAsyncIterator() -> Iterator { Iterator(base: stream.makeAsyncIterator()) }

    struct Iterator: AsyncBufferedIteratorProtocol {
        var base: AsyncStream<[UInt8]>.AsyncIterator
        var pending: [UInt8] = []

        mutating func next() async -> UInt8? {
            if pending.isEmpty { pending = await base.next() ?? [] }
            return pending.isEmpty ? nil : pending.removeFirst()
        }

        mutating func nextBuffer(suggested count: Int) async -> [UInt8]? {
            if !pending.isEmpty {
                defer { pending = [] }
                return pending
            }
            return await base.next()
        }
    }
}
