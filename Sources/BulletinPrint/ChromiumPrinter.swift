import BulletinSupport
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Why pages could not be printed.
public enum PrintError: Error, Sendable, CustomStringConvertible {
    /// No browser to print with.
    case browserMissing
    /// The browser could not be started, or failed while printing a page.
    case browser(String)
    /// A page took longer than the time allowed.
    case timedOut(seconds: Int)

    public var description: String {
        switch self {
        case .browserMissing:
            "headless Chromium is needed to print PDFs and is not installed: install the Debian package chromium "
                + "(apt-get install chromium), or set BULLETIN_CHROMIUM to its path"
        case .browser(let message): "Chromium: \(message)"
        case .timedOut(let seconds): "Chromium did not print the page within \(seconds) s"
        }
    }
}

/// Headless Chromium (Debian `chromium`) started once and driven through the DevTools protocol over a pipe,
/// printing pages to PDF with CSS paged media. Each page is printed in a fresh tab (a tab's history would
/// change the identifiers in the PDF's structure tree), several tabs at a time: an archive starts one browser,
/// not one per bulletin.
public final class ChromiumPrinter: Sendable {
    private let pipe: DevToolsPipe
    private let process: pid_t
    private let profile: String
    /// The longest a page may take, in seconds.
    public static let timeout = 120

    private init(pipe: DevToolsPipe, process: pid_t, profile: String) {
        self.pipe = pipe
        self.process = process
        self.profile = profile
    }

    /// Starts the browser: `BULLETIN_CHROMIUM` or `chromium` on the `PATH`.
    public static func start() throws(PrintError) -> ChromiumPrinter {
        guard let executable = executable() else { throw .browserMissing }
        var template = Array((FileManager.default.temporaryDirectory.path + "/bulletin-chromium-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw .browser("cannot make a profile folder") }
        let profile = String(cString: made)
        var arguments = [executable, "--headless=new", "--remote-debugging-pipe", "--disable-gpu", "--no-first-run",
                         "--no-default-browser-check", "--disable-extensions", "--disable-background-networking",
                         "--font-render-hinting=none", "--user-data-dir=\(profile)", "about:blank"]
        // Chromium refuses to run its sandbox as root (CI containers).
        if geteuid() == 0 { arguments.insert("--no-sandbox", at: 1) }
        var toBrowser: [Int32] = [0, 0], fromBrowser: [Int32] = [0, 0]
        guard Glibc.pipe(&toBrowser) == 0, Glibc.pipe(&fromBrowser) == 0 else {
            throw .browser("cannot make pipes: \(String(cString: strerror(errno)))")
        }
        // Only the copies made as descriptors 3 and 4 reach the browser.
        for descriptor in toBrowser + fromBrowser { _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, toBrowser[0], 3)
        posix_spawn_file_actions_adddup2(&actions, fromBrowser[1], 4)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        var pid: pid_t = 0
        let argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let status = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        Glibc.close(toBrowser[0])
        Glibc.close(fromBrowser[1])
        guard status == 0 else {
            Glibc.close(toBrowser[1])
            Glibc.close(fromBrowser[0])
            throw .browser("cannot start \(executable): \(String(cString: strerror(status)))")
        }
        return ChromiumPrinter(pipe: DevToolsPipe(commands: toBrowser[1], messages: fromBrowser[0]), process: pid, profile: profile)
    }

    /// The browser to start: `BULLETIN_CHROMIUM`, else the first `chromium` (or `chromium-browser`) on the `PATH`.
    public static func executable() -> String? {
        let environment = ProcessInfo.processInfo.environment
        if let path = environment["BULLETIN_CHROMIUM"] { return access(path, X_OK) == 0 ? path : nil }
        return Executables.find(["chromium", "chromium-browser"], environment: environment)
    }

    /// The page at `url` printed to PDF with its CSS page size and backgrounds, tagged and with an outline of
    /// its headings, after its fonts have loaded, laid out for print `width` CSS pixels wide. `measure` (a
    /// JavaScript expression) runs before printing. When it gives a number, the page is first printed for
    /// `revise` to look at (with that number): the expression `revise` returns runs in the page before it is
    /// printed for good (to place what only the printed pages tell, such as where the last page ends).
    public func print(_ url: URL, width: Int, measure: String? = nil,
                      revise: (@Sendable (_ pdf: [UInt8], _ measured: Double) -> String?)? = nil) async throws(PrintError) -> [UInt8] {
        do {
            return try await withThrowingTaskGroup(of: [UInt8]?.self) { group in
                group.addTask { try await self.printInNewTab(url, width: width, measure: measure, revise: revise) }
                group.addTask {
                    try await Task.sleep(for: .seconds(Self.timeout))
                    return nil
                }
                defer { group.cancelAll() }
                guard let first = try await group.next(), let pdf = first else { throw PrintError.timedOut(seconds: Self.timeout) }
                return pdf
            }
        } catch let error as PrintError {
            throw error
        } catch {
            throw .browser("\(error)")
        }
    }

    private func printInNewTab(_ url: URL, width: Int, measure: String?,
                               revise: (@Sendable ([UInt8], Double) -> String?)?) async throws -> [UInt8] {
        let target = try await pipe.call("Target.createTarget", ["url": "about:blank"])["targetId"] as? String ?? ""
        defer { Task { [pipe] in _ = try? await pipe.call("Target.closeTarget", ["targetId": target]) } }
        let session = try await pipe.call("Target.attachToTarget", ["targetId": target, "flatten": true])["sessionId"] as? String ?? ""
        defer { pipe.forget(session: session) }
        _ = try await pipe.call("Page.enable", session: session)
        _ = try await pipe.call("Emulation.setEmulatedMedia", ["media": "print"], session: session)
        _ = try await pipe.call("Emulation.setDeviceMetricsOverride",
                                ["width": width, "height": 800, "deviceScaleFactor": 1, "mobile": false], session: session)
        _ = try await pipe.call("Page.navigate", ["url": url.absoluteString], session: session)
        try await pipe.event("Page.loadEventFired", session: session)
        _ = try await evaluate("document.fonts.ready.then(() => true)", session: session)
        var measured: Double?
        if let measure { measured = (try await evaluate(measure, session: session)["result"] as? [String: Any])?["value"] as? Double }
        guard let revise, let measured else { return try await printToPDF(session: session, complete: true) }
        // A print made to be revised is only looked at: it goes without tags and outline, which cost time.
        if let script = revise(try await printToPDF(session: session, complete: false), measured) {
            _ = try await evaluate(script, session: session)
        }
        return try await printToPDF(session: session, complete: true)
    }

    /// The page printed; `complete` with tags for screen readers and an outline of its headings.
    private func printToPDF(session: String, complete: Bool) async throws -> [UInt8] {
        let printed = try await pipe.call("Page.printToPDF", [
            "preferCSSPageSize": true, "printBackground": true, "generateTaggedPDF": complete, "generateDocumentOutline": complete,
        ], session: session)
        guard let base64 = printed["data"] as? String, let data = Data(base64Encoded: base64) else {
            throw DevToolsError("Page.printToPDF gave no PDF")
        }
        return Array(data)
    }

    private func evaluate(_ expression: String, session: String) async throws -> [String: Any] {
        let result = try await pipe.call("Runtime.evaluate", ["expression": expression, "awaitPromise": true, "returnByValue": true],
                                         session: session)
        if let exception = result["exceptionDetails"] as? [String: Any] {
            throw DevToolsError("a script failed in the page: \(exception["text"] as? String ?? "exception")")
        }
        return result
    }

    /// Closes the browser and removes its profile folder.
    public func close() async {
        _ = try? await pipe.call("Browser.close")
        var status: Int32 = 0
        waitpid(process, &status, 0)
        try? FileManager.default.removeItem(atPath: profile)
    }
}
