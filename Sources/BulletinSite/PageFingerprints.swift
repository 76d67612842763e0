import BulletinModel
import BulletinSearch
import BulletinTemplates

/// Digests of everything an output file is made from, compared with the build cache's to decide whether a
/// file must be rendered again. Every page's digest starts from `base`: the tool, the site settings and the
/// templates, so a change to any of them renders everything.
struct PageFingerprints: Sendable {
    let renderer: SiteRenderer
    /// Digest of the tool, the site settings and the templates.
    let base: UInt64
    /// Digest of every bulletin's facts in site order: what the data files are made from.
    let facts: UInt64
    /// Digest of the part of every page's context that describes the site.
    let site: UInt64
    /// Digests of the bulletins' list entries, which many pages show, worked out ahead.
    private let entries: EntryDigests

    private enum EntryDigests {
        /// Every bulletin's, by index.
        case all([UInt64])
        /// Some bulletins' (the others are worked out when asked for).
        case some([Int: UInt64])
    }

    /// Digests for the pages of `renderer` whose fingerprints start from `base` (`Self.pagesBase`). With
    /// `bodiesChanged` (a rebuild where only these bulletins' bodies changed, whose other pages keep their
    /// previous fingerprints), only the list entries those bulletins' pages show are digested ahead.
    init(renderer: SiteRenderer, base: UInt64, bodiesChanged: Set<Int>? = nil) {
        self.renderer = renderer
        self.base = base
        var facts = StableDigest()
        for loaded in renderer.bulletins { facts.add(loaded.factsKey) }
        self.facts = facts.value
        var site = StableDigest()
        ContextDigest.add(renderer.siteContext, to: &site)
        self.site = site.value
        if let bodiesChanged {
            var some: [Int: UInt64] = [:]
            for index in bodiesChanged {
                let neighbours = renderer.model.neighbours[index]
                for neighbour in [neighbours.older, neighbours.newer].compactMap({ $0 }) {
                    some[neighbour] = Self.entry(neighbour, of: renderer)
                }
            }
            entries = .some(some)
        } else {
            entries = .all(renderer.bulletins.indices.map { Self.entry($0, of: renderer) })
        }
    }

    /// The digest every page's fingerprint starts from: the tool and site settings (`BuildCache.settings`)
    /// and the templates.
    static func pagesBase(settings: UInt64, templates: TemplateLibrary) -> UInt64 {
        var base = StableDigest()
        base.add(settings)
        base.add(templates.digest)
        return base.value
    }

    /// The digest of the search index's inputs: the tool and site settings, and each bulletin's file and facts
    /// in site order (templates do not enter the index).
    static func searchIndex(settings: UInt64, bulletins: [LoadedBulletin]) -> UInt64 {
        var digest = StableDigest()
        digest.add(settings)
        digest.add(SearchIndex.formatVersion)
        for loaded in bulletins {
            digest.add(loaded.sourceKey)
            digest.add(loaded.factsKey)
        }
        return digest.value
    }

    private static func entry(_ index: Int, of renderer: SiteRenderer) -> UInt64 {
        var entry = StableDigest()
        ContextDigest.add(renderer.entry(index), to: &entry)
        return entry.value
    }

    private func entry(_ index: Int) -> UInt64 {
        switch entries {
        case .all(let digests): digests[index]
        case .some(let digests): digests[index] ?? Self.entry(index, of: renderer)
        }
    }

    /// Every bulletin's list entry digest.
    private var allEntries: [UInt64] {
        switch entries {
        case .all(let digests): digests
        case .some: renderer.bulletins.indices.map(entry)
        }
    }

    /// The digest of one output file's inputs.
    func page(_ page: PageKind) -> UInt64 {
        var digest = StableDigest()
        digest.add(base)
        digest.add(renderer.outputPath(page))
        switch page {
        case .text(let index):
            digest.add(renderer.bulletins[index].sourceKey)
        case .data:
            digest.add(facts)
        case .bulletin(let index):
            // A bulletin page shows its own file, the site and its neighbours as list entries; every link on it
            // is a function of names in the file. Cheaper than its context, for the most numerous pages.
            digest.add(renderer.bulletins[index].sourceKey)
            digest.add(site)
            let neighbours = renderer.model.neighbours[index]
            for neighbour in [neighbours.older, neighbours.newer] { digest.add(neighbour.map(entry) ?? 0) }
        default:
            // Only a bulletin's page reads a body, which is the one context that can fail.
            guard let (template, context) = try? renderer.templateContext(page, entryDigests: allEntries) else { return 0 }
            digest.add(template)
            ContextDigest.add(context, to: &digest)
        }
        return digest.value
    }
}

/// A digest of a template context: strings, numbers, flags, dictionaries and arrays. A dictionary's entries
/// are digested one by one and their digests added, so no keys need sorting.
enum ContextDigest {
    static func add(_ value: Any, to digest: inout StableDigest) {
        switch value {
        case let text as String:
            digest.add(1)
            digest.add(text)
        case let dictionary as [String: Any]:
            add(dictionary, to: &digest)
        case let dictionaries as [[String: Any]]:
            digest.add(2)
            digest.add(dictionaries.count)
            for dictionary in dictionaries { add(dictionary, to: &digest) }
        case let number as Int:
            digest.add(3)
            digest.add(number)
        case let flag as Bool:
            digest.add(flag ? 4 : 5)
        case let number as UInt64:
            digest.add(10)
            digest.add(number)
        case let texts as [String]:
            digest.add(6)
            digest.add(texts.count)
            for text in texts { digest.add(text) }
        case let array as [Any]:
            digest.add(7)
            digest.add(array.count)
            for element in array { add(element, to: &digest) }
        default:
            digest.add(8)
            digest.add(String(reflecting: type(of: value)))
            digest.add(String(describing: value))
        }
    }

    private static func add(_ dictionary: [String: Any], to digest: inout StableDigest) {
        var entries: UInt64 = 0
        for (key, value) in dictionary {
            var entry = StableDigest()
            entry.add(key)
            add(value, to: &entry)
            entries &+= entry.mixed
        }
        digest.add(9)
        digest.add(dictionary.count)
        digest.add(entries)
    }
}
