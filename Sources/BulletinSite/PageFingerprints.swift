import BulletinModel
import BulletinSearch

/// Digests of everything an output file is made from, compared with the build cache's to decide whether a
/// file must be rendered again. Every page's digest starts from `base`: the tool, the site settings and the
/// templates, so a change to any of them renders everything.
struct PageFingerprints: Sendable {
    let renderer: SiteRenderer
    /// Digest of the tool and the site settings.
    let settings: UInt64
    /// Digest of the tool, the site settings and the templates.
    let base: UInt64
    /// Digest of every bulletin's facts in site order: what the data files are made from.
    let facts: UInt64
    /// Digest of the part of every page's context that describes the site.
    let site: UInt64
    /// Digest of each bulletin's list entry, which many pages show.
    let entries: [UInt64]

    /// Digests for the pages of `renderer`; `settings` is the digest of the tool and the site settings the
    /// bulletins were decoded with (`BuildCache.settings`).
    init(renderer: SiteRenderer, settings: UInt64) {
        self.renderer = renderer
        self.settings = settings
        var base = StableDigest()
        base.add(settings)
        base.add(renderer.templates.digest)
        self.base = base.value
        var facts = StableDigest()
        for loaded in renderer.bulletins { facts.add(loaded.factsKey) }
        self.facts = facts.value
        var site = StableDigest()
        ContextDigest.add(renderer.siteContext, to: &site)
        self.site = site.value
        entries = renderer.bulletins.indices.map { index in
            var entry = StableDigest()
            ContextDigest.add(renderer.entry(index), to: &entry)
            return entry.value
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
            for neighbour in [neighbours.older, neighbours.newer] { digest.add(neighbour.map { entries[$0] } ?? 0) }
        default:
            let (template, context) = renderer.templateContext(page, entryDigests: entries)
            digest.add(template)
            ContextDigest.add(context, to: &digest)
        }
        return digest.value
    }

    /// The digest of the search index's inputs: each bulletin's file and facts, in site order (templates do
    /// not enter the index).
    var searchIndex: UInt64 {
        var digest = StableDigest()
        digest.add(settings)
        digest.add(SearchIndex.formatVersion)
        for loaded in renderer.bulletins {
            digest.add(loaded.sourceKey)
            digest.add(loaded.factsKey)
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
