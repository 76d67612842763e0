import BulletinModel
import BulletinTemplates
import Foundation

/// Renders one bulletin file on its own, for `bulletin render`.
public enum BulletinRenderer {
    public enum Format: String, CaseIterable, Sendable {
        case text, html, pdf
    }

    /// The bulletin in `file` as its plain-text edition or its HTML page, with the settings and templates of
    /// the site it belongs to (`site`, else the nearest folder above the file that holds `content/`).
    public static func render(file: URL, format: Format, site: URL? = nil) -> (output: String?, diagnostics: [Diagnostic]) {
        let (renderer, diagnostics) = renderer(file: file, site: site, pdf: false)
        guard let renderer else { return (nil, diagnostics) }
        do {
            return (try renderer.render(onlyPage(format, of: renderer.model)), diagnostics)
        } catch {
            return (nil, (diagnostics + [error as Diagnostic]).sortedForOutput())
        }
    }

    /// The bulletin in `file` as its print edition: its page, with the stylesheet and the files it shows,
    /// written to a temporary folder and printed by headless Chromium.
    public static func renderPDF(file: URL, site: URL? = nil) async -> (output: [UInt8]?, diagnostics: [Diagnostic]) {
        let (renderer, diagnostics) = renderer(file: file, site: site, pdf: true)
        guard let renderer else { return (nil, diagnostics) }
        let folder = FileManager.default.temporaryDirectory.appending(path: "bulletin-print-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let publisher = OutputPublisher(destination: folder)
        let pages = PagePlan.pages(renderer.model)
        do {
            try publisher.prepareStaging()
            for page in pages {
                switch page.kind {
                case .bulletin, .bulletinFile: try renderer.write(page, with: publisher)
                default: continue
                }
            }
            for file in renderer.templates.staticFiles { try publisher.write(file.bytes, to: "static/" + file.path) }
            try publisher.publish()
        } catch {
            publisher.discardStaging()
            return (nil, diagnostics + [error as? Diagnostic ?? .error("cannot write the page to print: \(error)")])
        }
        let print = pages.filter(\.isPrintEdition).map { (page: $0, fingerprint: UInt64?.none) }
        let printed = await PrintEdition.print(print, model: renderer.model, destination: folder, jobs: 1,
                                               progress: ProgressCounter(stage: "printing", total: 1, report: nil))
        guard let file = printed.written.first?.page.file, let data = FileManager.default.contents(atPath: folder.appending(path: file).path) else {
            return (nil, (diagnostics + printed.diagnostics).sortedForOutput())
        }
        return (Array(data), diagnostics)
    }

    /// A renderer of the site model holding only the bulletin in `file`, or the diagnostics saying why not.
    private static func renderer(file: URL, site: URL?, pdf: Bool) -> (SiteRenderer?, [Diagnostic]) {
        let siteDirectory = site ?? enclosingSite(of: file) ?? file.deletingLastPathComponent()
        var (config, diagnostics) = ContentLoader.loadConfig(siteDirectory: siteDirectory)
        config.pdf = pdf
        let root = siteDirectory.standardizedFileURL.path + "/"
        let path = file.standardizedFileURL.path
        let displayPath = path.hasPrefix(root) ? String(path.dropFirst(root.count)) : path
        let files = SiteFiles(siteDirectory: siteDirectory, images: ImageStore(cacheFolder: nil), maxTableFileSize: config.maxFileSize)
        let (loaded, fileDiagnostics) = ContentLoader.loadBulletin(path: file.path, displayPath: displayPath, config: config, site: files)
        diagnostics += fileDiagnostics
        let templates = SiteBuilder.templates(of: siteDirectory, diagnostics: &diagnostics)
        guard let loaded, let templates, !diagnostics.hasErrors else { return (nil, diagnostics.sortedForOutput()) }
        let model = SiteModel(config: config, order: SiteOrder([loaded], config: config))
        return (SiteRenderer(model: model, templates: templates, files: files), diagnostics.sortedForOutput())
    }

    /// Renders one bulletin given as bytes, with default settings and the built-in templates; nil output when
    /// the input has errors. Used by the fuzz targets: it must end, and never crash, whatever the bytes.
    public static func render(bytes: [UInt8], format: Format) -> (output: String?, diagnostics: [Diagnostic]) {
        let config = SiteConfig(series: "Fuzz", publishers: ["Fuzz"])
        let (loaded, diagnostics) = ContentLoader.loadBulletin(bytes: bytes, key: ContentLoader.digest(bytes), displayPath: "fuzz.md",
                                                               config: config, site: nil)
        guard let loaded, case .success(let templates) = TemplateLibrary.load(siteTemplatesDirectory: nil) else { return (nil, diagnostics) }
        let renderer = SiteRenderer(model: SiteModel(config: config, order: SiteOrder([loaded], config: config)), templates: templates)
        do {
            return (try renderer.render(onlyPage(format, of: renderer.model)), diagnostics)
        } catch {
            return (nil, diagnostics + [error])
        }
    }

    /// The page or text edition of a site model holding one bulletin.
    private static func onlyPage(_ format: Format, of model: SiteModel) -> Page {
        PagePlan.pages(model).first { page in
            switch page.kind {
            case .textEdition: format == .text
            case .bulletin: format == .html
            case .printEdition: format == .pdf
            default: false
            }
        }!
    }

    /// The nearest folder above `file` that holds a `content` folder containing the file.
    static func enclosingSite(of file: URL) -> URL? {
        var directory = file.standardizedFileURL.deletingLastPathComponent()
        while directory.path != "/" {
            if directory.lastPathComponent == "content" { return directory.deletingLastPathComponent() }
            directory = directory.deletingLastPathComponent()
        }
        return nil
    }
}
