import BulletinModel
import BulletinTemplates
import Foundation

/// Renders one bulletin file on its own, for `bulletin render`.
public enum BulletinRenderer {
    public enum Format: String, CaseIterable, Sendable {
        case text, html
    }

    /// The bulletin in `file` as its plain-text edition or its HTML page, with the settings and templates of
    /// the site it belongs to (`site`, else the nearest folder above the file that holds `content/`).
    public static func render(file: URL, format: Format, site: URL? = nil) -> (output: String?, diagnostics: [Diagnostic]) {
        let siteDirectory = site ?? enclosingSite(of: file) ?? file.deletingLastPathComponent()
        var (config, diagnostics) = ContentLoader.loadConfig(siteDirectory: siteDirectory)
        let root = siteDirectory.standardizedFileURL.path + "/"
        let path = file.standardizedFileURL.path
        let displayPath = path.hasPrefix(root) ? String(path.dropFirst(root.count)) : path
        let (loaded, fileDiagnostics) = ContentLoader.loadBulletin(
            path: file.path, displayPath: displayPath, config: config, site: SiteFiles(siteDirectory: siteDirectory, images: ImageStore(cacheFolder: nil), maxTableFileSize: config.maxFileSize))
        diagnostics += fileDiagnostics
        let templates = SiteBuilder.templates(of: siteDirectory, diagnostics: &diagnostics)
        guard let loaded, let templates, !diagnostics.hasErrors else { return (nil, diagnostics.sortedForOutput()) }
        let renderer = SiteRenderer(model: SiteModel(config: config, order: SiteOrder([loaded], config: config)), templates: templates)
        do {
            return (try renderer.render(onlyPage(format, of: renderer.model)), diagnostics.sortedForOutput())
        } catch {
            return (nil, (diagnostics + [error as Diagnostic]).sortedForOutput())
        }
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
