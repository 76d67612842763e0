import BulletinModel
import BulletinSupport

/// Checks that involve several bulletins: identities, serials and output paths must not collide.
enum SiteValidator {
    static func check(_ loaded: [LoadedBulletin], config: SiteConfig) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        // Each key's first holder, by index into `loaded`.
        var identities: [Claim: Int] = [:], serials: [Claim: Int] = [:], paths: [String: Int] = [:]
        identities.reserveCapacity(loaded.count)
        paths.reserveCapacity(loaded.count)
        /// The bulletin that already holds `key`, or nil after recording `index` as its holder.
        func claim<Key: Hashable>(_ key: Key, by index: Int, in claims: inout [Key: Int]) -> Bulletin? {
            if let holder = claims[key] { return loaded[holder].bulletin }
            claims[key] = index
            return nil
        }
        for (index, item) in loaded.enumerated() {
            let series = item.series
            if let first = claim(Claim(series: series, item.date.year, item.issue), by: index, in: &identities) {
                let bulletin = item.bulletin
                diagnostics.append(bulletin.origin(of: "issue").diagnostic(
                    .error,
                    "\(series) \(bulletin.date.year)年第\(bulletin.issue)期 is claimed by two files: "
                        + "this one and \(first.origin(of: "issue")); give each bulletin its own issue number"))
            } else if let serial = item.serial, let first = claim(Claim(series: series, serial, 0), by: index, in: &serials) {
                diagnostics.append(item.bulletin.origin(of: "serial").diagnostic(
                    .error,
                    "serial 总第\(serial)期 of \(series) is used by two files: this one and "
                        + "\(first.origin(of: "serial")); serials must be unique within a series"))
            } else if let first = claim(SitePaths.bulletin(item.bulletin, config: config), by: index, in: &paths) {
                let bulletin = item.bulletin
                let advice = config.seriesList.count > 1 || first.series == bulletin.series
                    ? "give them distinct serials, or put {series} in the permalink of site.yaml"
                    : "list both series in site.yaml (series: - name: … slug: …) so that each gets its own addresses"
                diagnostics.append((bulletin.recordedOrigin(of: "serial") ?? bulletin.origin(of: "issue")).diagnostic(
                    .error,
                    "this bulletin and \(first.sourcePath) would both be written to \(SitePaths.bulletin(bulletin, config: config)); "
                        + advice))
            }
        }
        return diagnostics
    }

    /// A series and two numbers, its name compared and hashed as bytes: Chinese names would be normalised
    /// for every hash and comparison as `String`s, which cost more than the rest of these checks.
    private struct Claim: Hashable {
        let series: UTF8Key
        let first: Int
        let second: Int

        init(series: String, _ first: Int, _ second: Int) {
            self.series = UTF8Key(series)
            self.first = first
            self.second = second
        }
    }
}
