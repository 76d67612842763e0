import BulletinModel

/// Serial numbers run on within a series: a gap means issues are missing from the archive.
public enum Continuity {
    /// A warning at each bulletin whose serial follows a gap, listing the missing serials.
    public static func check(_ bulletins: [Bulletin]) -> [Diagnostic] {
        var bySeries: [String: [Bulletin]] = [:]
        for bulletin in bulletins where bulletin.serial != nil { bySeries[bulletin.series, default: []].append(bulletin) }
        var diagnostics: [Diagnostic] = []
        for series in bySeries.keys.sorted() {
            let sorted = bySeries[series]!.sorted { $0.serial! < $1.serial! }
            for (previous, next) in zip(sorted, sorted.dropFirst()) where next.serial! > previous.serial! + 1 {
                let from = previous.serial! + 1, to = next.serial! - 1
                let missing = from == to ? "总第\(from)期 is" : "总第\(from)–\(to)期 (\(to - from + 1) issues) are"
                diagnostics.append(next.origin(of: "serial").diagnostic(
                    .warning, "\(series): serial jumps from \(previous.serial!) to \(next.serial!); \(missing) missing from the archive"))
            }
        }
        return diagnostics
    }
}

/// Splits long lists into pages of a fixed size.
public struct Pagination: Sendable, Hashable, Codable {
    /// 1-based.
    public var number: Int
    public var count: Int
    /// The range of list indices on this page.
    public var range: Range<Int>

    /// The pages of a list of `total` items, `size` a page; one empty page for an empty list.
    public static func pages(total: Int, size: Int) -> [Pagination] {
        let count = max(1, (total + size - 1) / size)
        return (0..<count).map { Pagination(number: $0 + 1, count: count, range: ($0 * size)..<min(total, ($0 + 1) * size)) }
    }
}
