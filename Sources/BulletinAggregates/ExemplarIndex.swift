import BulletinModel

/// One exemplar across every bulletin that names it.
public struct ExemplarEntry: Sendable, Hashable, Codable {
    public var kind: Exemplar.Kind
    /// The name as first written (in the oldest bulletin).
    public var name: String
    /// The folder of its page below `exemplars/<kind>/`.
    public var slug: String
    /// Each naming, oldest bulletin first.
    public var mentions: [Mention]

    public init(kind: Exemplar.Kind, name: String, slug: String, mentions: [Mention]) {
        self.kind = kind
        self.name = name
        self.slug = slug
        self.mentions = mentions
    }

    public struct Mention: Sendable, Hashable, Codable {
        /// Index into the bulletins the index was built from.
        public var bulletin: Int
        public var exemplar: Exemplar

        public init(bulletin: Int, exemplar: Exemplar) {
            self.bulletin = bulletin
            self.exemplar = exemplar
        }
    }
}

/// All exemplars, one entry per (kind, name after normalisation).
public enum ExemplarIndex {
    /// Entries sorted by kind (组织, 项目, 社区, 个人), then name. Two different names whose pages would share a
    /// folder are an error naming both.
    public static func build(_ bulletins: [Bulletin]) -> (entries: [ExemplarEntry], diagnostics: [Diagnostic]) {
        /// What a name written under a kind stands for, worked out once per distinct name.
        struct Forms {
            var identity: String
            var slug: String
            var slugKey: String
            /// Index into `owners`.
            var owner: Int
            /// Index into `entries`, once a mention of the name was accepted.
            var entry: Int?
        }
        struct Written: Hashable {
            var kind: Exemplar.Kind
            var name: String
        }
        var known: [Written: Forms] = [:]
        var entries: [ExemplarEntry] = []
        var entryOfIdentity: [String: Int] = [:]
        // For each page folder: the identity it belongs to and the last accepted mention.
        var owners: [(identity: String, origin: Origin)?] = []
        var ownerOfSlug: [String: Int] = [:]
        var diagnostics: [Diagnostic] = []
        for index in bulletins.indices.reversed() {
            for exemplar in bulletins[index].exemplars {
                let written = Written(kind: exemplar.kind, name: exemplar.name)
                let forms: Forms
                if let found = known[written] {
                    forms = found
                } else {
                    let slug = Normalization.pathSegment(exemplar.name)
                    let slugKey = exemplar.kind.rawValue + "/" + slug
                    let owner = ownerOfSlug[slugKey] ?? owners.count
                    if owner == owners.count {
                        ownerOfSlug[slugKey] = owner
                        owners.append(nil)
                    }
                    forms = Forms(identity: exemplar.kind.rawValue + "\u{0}" + Normalization.identity(exemplar.name), slug: slug,
                                  slugKey: slugKey, owner: owner)
                    known[written] = forms
                }
                let origin = exemplar.origin ?? bulletins[index].origin(of: "exemplars")
                if let owner = owners[forms.owner], owner.identity != forms.identity {
                    diagnostics.append(origin.diagnostic(
                        .error, "exemplar '\(exemplar.name)' would share the page exemplars/\(forms.slugKey)/ with a different "
                            + "name at \(owner.origin); rename one of them"))
                    continue
                }
                owners[forms.owner] = (forms.identity, origin)
                let entry = forms.entry ?? entryOfIdentity[forms.identity] ?? entries.count
                if entry == entries.count {
                    entryOfIdentity[forms.identity] = entry
                    entries.append(ExemplarEntry(kind: exemplar.kind, name: exemplar.name, slug: forms.slug, mentions: []))
                }
                if forms.entry == nil { known[written]?.entry = entry }
                entries[entry].mentions.append(.init(bulletin: index, exemplar: exemplar))
            }
        }
        let kinds = Exemplar.Kind.allCases
        let sortKeys = entries.map { (kind: kinds.firstIndex(of: $0.kind)!, slug: Array($0.slug.utf8)) }
        let order = entries.indices.sorted {
            sortKeys[$0].kind != sortKeys[$1].kind ? sortKeys[$0].kind < sortKeys[$1].kind
                : sortKeys[$0].slug.lexicographicallyPrecedes(sortKeys[$1].slug)
        }
        return (order.map { entries[$0] }, diagnostics)
    }
}
