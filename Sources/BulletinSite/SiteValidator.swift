import BulletinModel

/// Checks that involve several bulletins: identities, serials and output paths must not collide.
enum SiteValidator {
    static func check(_ loaded: [LoadedBulletin]) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        // Each key's first holder, by index into `loaded`.
        var identities: [String: Int] = [:], serials: [String: Int] = [:], paths: [String: Int] = [:]
        /// The bulletin that already holds `key`, or nil after recording `index` as its holder.
        func claim(_ key: String, by index: Int, in claims: inout [String: Int]) -> Bulletin? {
            if let holder = claims[key] { return loaded[holder].bulletin }
            claims[key] = index
            return nil
        }
        for index in loaded.indices {
            let bulletin = loaded[index].bulletin
            if let first = claim("\(bulletin.series)\u{0}\(bulletin.date.year)\u{0}\(bulletin.issue)", by: index, in: &identities) {
                diagnostics.append(bulletin.origin(of: "issue").diagnostic(
                    .error,
                    "\(bulletin.series) \(bulletin.date.year)年第\(bulletin.issue)期 is claimed by two files: "
                        + "this one and \(first.origin(of: "issue")); give each bulletin its own issue number"))
            } else if let serial = bulletin.serial, let first = claim("\(bulletin.series)\u{0}\(serial)", by: index, in: &serials) {
                diagnostics.append(bulletin.origin(of: "serial").diagnostic(
                    .error,
                    "serial 总第\(serial)期 of \(bulletin.series) is used by two files: this one and "
                        + "\(first.origin(of: "serial")); serials must be unique within a series"))
            } else if let first = claim(SitePaths.bulletin(bulletin), by: index, in: &paths) {
                diagnostics.append((bulletin.origins["serial"] ?? bulletin.origin(of: "issue")).diagnostic(
                    .error,
                    "this bulletin and \(first.sourcePath) would both be written to \(SitePaths.bulletin(bulletin)); "
                        + "give them distinct serials"))
            }
        }
        return diagnostics
    }
}
