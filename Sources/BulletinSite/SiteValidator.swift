import BulletinModel

/// Checks that involve several bulletins: identities, serials and output paths must not collide.
enum SiteValidator {
    static func check(_ bulletins: [LoadedBulletin]) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        var identities: [String: Bulletin] = [:]
        var serials: [String: Bulletin] = [:]
        var paths: [String: Bulletin] = [:]
        for loaded in bulletins {
            let bulletin = loaded.bulletin
            let identity = "\(bulletin.series)\u{0}\(bulletin.date.year)\u{0}\(bulletin.issue)"
            if let first = identities[identity] {
                diagnostics.append(Diagnostic(
                    .error,
                    "\(bulletin.series) \(bulletin.date.year)年第\(bulletin.issue)期 is claimed by two files: "
                        + "this one and \(first.locations.issue); give each bulletin its own issue number",
                    at: bulletin.locations.issue, sourceLine: bulletin.locations.issueLine))
                continue
            }
            identities[identity] = bulletin
            if let serial = bulletin.serial {
                let key = "\(bulletin.series)\u{0}\(serial)"
                if let first = serials[key] {
                    diagnostics.append(Diagnostic(
                        .error,
                        "serial 总第\(serial)期 of \(bulletin.series) is used by two files: this one and "
                            + "\(first.locations.serial ?? first.locations.issue); serials must be unique within a series",
                        at: bulletin.locations.serial, sourceLine: bulletin.locations.serialLine))
                    continue
                }
                serials[key] = bulletin
            }
            let path = SitePaths.bulletin(bulletin)
            if let first = paths[path] {
                diagnostics.append(Diagnostic(
                    .error,
                    "this bulletin and \(first.sourcePath) would both be written to \(path); "
                        + "give them distinct serials",
                    at: bulletin.locations.serial ?? bulletin.locations.issue,
                    sourceLine: bulletin.locations.serialLine ?? bulletin.locations.issueLine))
                continue
            }
            paths[path] = bulletin
        }
        return diagnostics
    }
}

/// Where pages live in the output, as site-relative directory paths ending in `/` (empty for the home page).
enum SitePaths {
    static let archive = "bulletins/"

    static func year(_ year: Int) -> String { "bulletins/\(year)/" }

    /// `bulletins/<year>/<serial or issue>/`.
    static func bulletin(_ bulletin: Bulletin) -> String { "bulletins/\(bulletin.date.year)/\(bulletin.pageNumber)/" }

    /// The way back to the site root from a page in `directory`: `./` for the root itself, else `../` per level.
    static func root(from directory: String) -> String {
        let depth = directory.split(separator: "/").count
        return depth == 0 ? "./" : String(repeating: "../", count: depth)
    }
}
