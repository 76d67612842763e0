import BulletinModel

/// Checks that involve several bulletins: identities, serials and output paths must not collide.
enum SiteValidator {
    static func check(_ bulletins: [LoadedBulletin]) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        var identities = UniqueClaims(), serials = UniqueClaims(), paths = UniqueClaims()
        for bulletin in bulletins.map(\.bulletin) {
            let issue = bulletin.origin(of: "issue")
            if let first = identities.claim("\(bulletin.series)\u{0}\(bulletin.date.year)\u{0}\(bulletin.issue)", by: bulletin) {
                diagnostics.append(issue.diagnostic(
                    .error,
                    "\(bulletin.series) \(bulletin.date.year)年第\(bulletin.issue)期 is claimed by two files: "
                        + "this one and \(first.origin(of: "issue")); give each bulletin its own issue number"))
            } else if let serial = bulletin.serial, let first = serials.claim("\(bulletin.series)\u{0}\(serial)", by: bulletin) {
                diagnostics.append(bulletin.origin(of: "serial").diagnostic(
                    .error,
                    "serial 总第\(serial)期 of \(bulletin.series) is used by two files: this one and "
                        + "\(first.origin(of: "serial")); serials must be unique within a series"))
            } else if let first = paths.claim(SitePaths.bulletin(bulletin), by: bulletin) {
                diagnostics.append((bulletin.origins["serial"] ?? issue).diagnostic(
                    .error,
                    "this bulletin and \(first.sourcePath) would both be written to \(SitePaths.bulletin(bulletin)); "
                        + "give them distinct serials"))
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

