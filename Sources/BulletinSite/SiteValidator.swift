import BulletinModel

/// Checks that involve several bulletins: identities, serials and output paths must not collide.
enum SiteValidator {
    static func check(_ bulletins: [LoadedBulletin]) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        var identities = UniqueClaims(), serials = UniqueClaims(), paths = UniqueClaims()
        for bulletin in bulletins.map(\.bulletin) {
            let locations = bulletin.locations
            if let first = identities.claim("\(bulletin.series)\u{0}\(bulletin.date.year)\u{0}\(bulletin.issue)", by: bulletin) {
                diagnostics.append(Diagnostic(
                    .error,
                    "\(bulletin.series) \(bulletin.date.year)年第\(bulletin.issue)期 is claimed by two files: "
                        + "this one and \(first.locations.issue); give each bulletin its own issue number",
                    at: locations.issue, sourceLine: locations.issueLine))
            } else if let serial = bulletin.serial, let first = serials.claim("\(bulletin.series)\u{0}\(serial)", by: bulletin) {
                diagnostics.append(Diagnostic(
                    .error,
                    "serial 总第\(serial)期 of \(bulletin.series) is used by two files: this one and "
                        + "\(first.locations.serial ?? first.locations.issue); serials must be unique within a series",
                    at: locations.serial, sourceLine: locations.serialLine))
            } else if let first = paths.claim(SitePaths.bulletin(bulletin), by: bulletin) {
                diagnostics.append(Diagnostic(
                    .error,
                    "this bulletin and \(first.sourcePath) would both be written to \(SitePaths.bulletin(bulletin)); "
                        + "give them distinct serials",
                    at: locations.serial ?? locations.issue, sourceLine: locations.serialLine ?? locations.issueLine))
            }
        }
        return diagnostics
    }

    /// Keys that only one bulletin may hold.
    private struct UniqueClaims {
        private var holders: [String: Bulletin] = [:]

        /// Records `bulletin` as the holder of `key`, or returns the bulletin that already holds it.
        mutating func claim(_ key: String, by bulletin: Bulletin) -> Bulletin? {
            if let holder = holders[key] { return holder }
            holders[key] = bulletin
            return nil
        }
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
