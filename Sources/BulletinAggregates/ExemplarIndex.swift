import BulletinModel

/// One exemplar across every bulletin that names it.
public struct ExemplarEntry: Sendable, Hashable {
    public var kind: Exemplar.Kind
    /// The name as first written (in the oldest bulletin).
    public var name: String
    /// The folder of its page below `exemplars/<kind>/`.
    public var slug: String
    /// Each naming, oldest bulletin first.
    public var mentions: [Mention]

    public struct Mention: Sendable, Hashable {
        /// Index into the bulletins the index was built from.
        public var bulletin: Int
        public var exemplar: Exemplar
    }
}

/// All exemplars, one entry per (kind, name after normalisation).
public enum ExemplarIndex {
    /// Entries sorted by kind (组织, 项目, 社区, 个人), then name. Two different names whose pages would share a
    /// folder are an error naming both.
    public static func build(_ bulletins: [Bulletin]) -> (entries: [ExemplarEntry], diagnostics: [Diagnostic]) {
        var entries: [String: ExemplarEntry] = [:]
        var slugOwners: [String: (identity: String, origin: Origin)] = [:]
        var diagnostics: [Diagnostic] = []
        var forms = NameForms()
        for (index, bulletin) in bulletins.enumerated().reversed() {
            for exemplar in bulletin.exemplars {
                let identity = exemplar.kind.rawValue + "\u{0}" + forms.identity(exemplar.name)
                let slug = forms.pathSegment(exemplar.name)
                let slugKey = exemplar.kind.rawValue + "/" + slug
                let origin = exemplar.origin ?? bulletin.origin(of: "exemplars")
                if let owner = slugOwners[slugKey], owner.identity != identity {
                    diagnostics.append(origin.diagnostic(
                        .error, "exemplar '\(exemplar.name)' would share the page exemplars/\(slugKey)/ with a different "
                            + "name at \(owner.origin); rename one of them"))
                    continue
                }
                slugOwners[slugKey] = (identity, origin)
                entries[identity, default: ExemplarEntry(kind: exemplar.kind, name: exemplar.name, slug: slug, mentions: [])]
                    .mentions.append(.init(bulletin: index, exemplar: exemplar))
            }
        }
        let order = Dictionary(uniqueKeysWithValues: Exemplar.Kind.allCases.enumerated().map { ($1, $0) })
        let sorted = entries.values.sorted {
            order[$0.kind]! != order[$1.kind]! ? order[$0.kind]! < order[$1.kind]!
                : $0.slug.utf8.lexicographicallyPrecedes($1.slug.utf8)
        }
        return (sorted, diagnostics)
    }
}
