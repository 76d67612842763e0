import BulletinModel

/// A way of classifying bulletins (tags, districts) and its terms.
public struct Taxonomy: Sendable, Hashable, Codable {
    /// The front-matter field and the folder of its pages: `tags`, `districts`.
    public var field: String
    /// Its name on pages: 标签, 地区.
    public var label: String
    /// Terms sorted by their folder name.
    public var terms: [Term]

    public init(field: String, label: String, terms: [Term]) {
        self.field = field
        self.label = label
        self.terms = terms
    }

    public struct Term: Sendable, Hashable, Codable {
        /// As first written.
        public var name: String
        public var slug: String
        /// Bulletins with the term, in the site's order (newest first).
        public var bulletins: [Int]

        public init(name: String, slug: String, bulletins: [Int]) {
            self.name = name
            self.slug = slug
            self.bulletins = bulletins
        }
    }

    /// Gathers the terms of `field`; two spellings that would share a folder are an error naming both files.
    public static func build(field: String, label: String, _ bulletins: [Bulletin], terms: (Bulletin) -> [String])
        -> (taxonomy: Taxonomy, diagnostics: [Diagnostic]) {
        var bySlug: [String: Term] = [:]
        var firstOrigin: [String: Origin] = [:]
        var diagnostics: [Diagnostic] = []
        var forms = NameForms()
        for (index, bulletin) in bulletins.enumerated() {
            for name in terms(bulletin) {
                let slug = forms.pathSegment(name)
                if let known = bySlug[slug]?.name {
                    if known != name && forms.identity(known) != forms.identity(name) {
                        diagnostics.append(bulletin.origin(of: field).diagnostic(
                            .error, "\(field) term '\(name)' and '\(known)' at \(firstOrigin[slug]!) would share the page "
                                + "\(field)/\(slug)/; write them the same way or distinguish them"))
                        continue
                    }
                    // In place: a copy of the term would copy its list of bulletins on every append.
                    if bySlug[slug]!.bulletins.last != index { bySlug[slug]!.bulletins.append(index) }
                } else {
                    bySlug[slug] = Term(name: name, slug: slug, bulletins: [index])
                    firstOrigin[slug] = bulletin.origin(of: field)
                }
            }
        }
        let sorted = bySlug.values.sorted { $0.slug.utf8.lexicographicallyPrecedes($1.slug.utf8) }
        return (Taxonomy(field: field, label: label, terms: sorted), diagnostics)
    }
}
