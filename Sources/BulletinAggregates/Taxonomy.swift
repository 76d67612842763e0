import BulletinModel

/// A way of classifying bulletins (tags, districts) and its terms.
public struct Taxonomy: Sendable {
    /// The front-matter field and the folder of its pages: `tags`, `districts`.
    public var field: String
    /// Its name on pages: 标签, 地区.
    public var label: String
    /// Terms sorted by their folder name.
    public var terms: [Term]

    public struct Term: Sendable, Hashable {
        /// As first written.
        public var name: String
        public var slug: String
        /// Bulletins with the term, in the site's order (newest first).
        public var bulletins: [Int]
    }

    /// Gathers the terms of `field`; two spellings that would share a folder are an error naming both files.
    public static func build(field: String, label: String, _ bulletins: [Bulletin], terms: (Bulletin) -> [String])
        -> (taxonomy: Taxonomy, diagnostics: [Diagnostic]) {
        var bySlug: [String: Term] = [:]
        var firstOrigin: [String: Origin] = [:]
        var diagnostics: [Diagnostic] = []
        for (index, bulletin) in bulletins.enumerated() {
            for name in terms(bulletin) {
                let slug = Normalization.pathSegment(name)
                let origin = bulletin.origin(of: field)
                if var term = bySlug[slug] {
                    if term.name != name && Normalization.identity(term.name) != Normalization.identity(name) {
                        diagnostics.append(origin.diagnostic(
                            .error, "\(field) term '\(name)' and '\(term.name)' at \(firstOrigin[slug]!) would share the page "
                                + "\(field)/\(slug)/; write them the same way or distinguish them"))
                        continue
                    }
                    if term.bulletins.last != index { term.bulletins.append(index) }
                    bySlug[slug] = term
                } else {
                    bySlug[slug] = Term(name: name, slug: slug, bulletins: [index])
                    firstOrigin[slug] = origin
                }
            }
        }
        let sorted = bySlug.values.sorted { $0.slug.utf8.lexicographicallyPrecedes($1.slug.utf8) }
        return (Taxonomy(field: field, label: label, terms: sorted), diagnostics)
    }
}
