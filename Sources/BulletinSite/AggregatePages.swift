import BulletinAggregates
import BulletinCharts
import BulletinModel
import BulletinTemplates
import Foundation

/// Contexts of the stats pages: the overview of all keys and one page per key.
enum StatPages {
    /// The series whose latest value stands for the key: the unscoped one, else the first scope.
    static func main(_ series: StatSeries) -> ScopeSeries { series.scopes.first { $0.scope == nil } ?? series.scopes[0] }

    /// A key on the overview: latest value and date, change against the previous value, counts.
    static func summary(_ series: StatSeries) -> [String: Any] {
        var context = common(series)
        let main = main(series)
        context["latest"] = point(main.latest)
        if let change = change(main) { context["change"] = change }
        context["valueCount"] = valueCount(series)
        context["bulletinCount"] = series.bulletins.count
        return context
    }

    /// How many of a scope's latest values a key's page lists with their bulletins; every value is in the
    /// key's CSV file beside it, so the page stays small however long the archive.
    static let recentCount = 10
    /// The file of every value reported for a key, in the key's folder.
    static let valuesFileName = "values.csv"

    /// The values reported for a key, over all its scopes.
    static func valueCount(_ series: StatSeries) -> Int { series.scopes.reduce(0) { $0 + $1.points.count } }

    /// Everything about one key: per scope its latest values with the bulletins reporting them and its yearly
    /// figures, the number of values not listed (all are in its CSV file), and the charts.
    static func detail(_ series: StatSeries, entry: (Int) -> [String: Any]) -> [String: Any] {
        var context = summary(series)
        context["scopes"] = series.scopes.map { scope in
            var scopeContext: [String: Any] = [
                "name": scope.scope ?? "总体",
                "latest": point(scope.latest),
                "points": scope.points.suffix(recentCount).reversed().map { point($0).merging(["bulletins": $0.bulletins.map(entry)]) { $1 } },
                "yearly": scope.yearly.reversed().map { ["year": $0.year, "value": ViewModel.quantity($0.point.value)] },
            ]
            if scope.points.count > recentCount { scopeContext["olderCount"] = scope.points.count - recentCount }
            if let change = change(scope) { scopeContext["change"] = change }
            return scopeContext
        }
        context["valuesPath"] = SitePaths.href(SitePaths.stat(series.key)) + valuesFileName
        let id = "chart-\(series.key)"
        let points = series.scopes.flatMap(\.points)
        let first = points.map(\.date).min()!, last = points.map(\.date).max()!
        let latest = main(series).latest
        context["lineChart"] = Charts.line(
            id: id, title: "\(series.label)（\(series.unit)）变化",
            description: "\(first.chinese)至\(last.chinese)共\(points.count)个数值，最新为\(latest.value.display)\(series.unit)（\(latest.date.chinese)）。",
            unit: series.unit, series: series.scopes.map { scope in
                ChartSeries(name: scope.scope ?? series.label, points: scope.points.map { ($0.date, $0.value.doubleValue) })
            })
        let yearly = main(series).yearly
        if yearly.count >= 2 {
            context["barChart"] = Charts.bars(
                id: id + "-years", title: "\(series.label)（\(series.unit)）逐年数值",
                description: yearly.map { "\($0.year)年\($0.point.value.display)\(series.unit)" }.joined(separator: "，") + "。",
                unit: series.unit, bars: yearly.map { ("\($0.year)年", $0.point.value.doubleValue) })
        }
        return context
    }

    /// A value of one of a key's scopes.
    struct ScopedValue: Sendable {
        let scope: String?
        let point: StatPoint
    }

    /// Every value of a key, over all its scopes, newest first (scopes in the key's order on the same date).
    static func values(_ series: StatSeries) -> [ScopedValue] {
        series.scopes.enumerated().flatMap { order, scope in scope.points.map { (order: order, value: ScopedValue(scope: scope.scope, point: $0)) } }
            .sorted { ($0.value.point.date, $1.order) > ($1.value.point.date, $0.order) }
            .map(\.value)
    }

    private static func common(_ series: StatSeries) -> [String: Any] {
        ["key": series.key, "label": series.label, "unit": series.unit, "path": SitePaths.href(SitePaths.stat(series.key))]
    }

    private static func point(_ point: StatPoint) -> [String: Any] {
        ["date": ViewModel.date(point.date), "value": ViewModel.quantity(point.value), "label": point.label]
    }

    /// `+1,234（+5.2%）` against the previous value, with `direction` up, down or same.
    static func change(_ scope: ScopeSeries) -> [String: Any]? {
        guard let previous = scope.previous, let delta = scope.latest.value.subtracting(previous.value) else { return nil }
        let sign = delta.units > 0 ? "+" : delta.units < 0 ? "−" : "±"
        let magnitude = Quantity(units: abs(delta.units), scale: delta.scale)
        var text = sign + magnitude.grouped
        if previous.value.units != 0 {
            let percent = delta.doubleValue / previous.value.doubleValue * 100
            text += String(format: "（%@%.1f%%）", sign == "±" ? "" : sign, abs(percent))
        }
        return ["text": text, "direction": delta.units > 0 ? "up" : delta.units < 0 ? "down" : "same",
                "since": ViewModel.date(previous.date)]
    }
}

/// Contexts of the exemplar pages.
enum ExemplarPages {
    /// Kinds (组织, 项目, 社区, 个人), then honors, then years (newest first), then names.
    static func index(_ entries: [ExemplarEntry]) -> [[String: Any]] {
        Exemplar.Kind.allCases.compactMap { kind -> [String: Any]? in
            let ofKind = entries.filter { $0.kind == kind }
            guard !ofKind.isEmpty else { return nil }
            var byHonor: [String: [Int: Set<Int>]] = [:]  // honor → year (0 = unknown) → entry indices
            for (index, entry) in ofKind.enumerated() {
                for mention in entry.mentions {
                    byHonor[mention.exemplar.honor, default: [:]][mention.exemplar.year ?? 0, default: []].insert(index)
                }
            }
            let honors = byHonor.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }.map { honor -> [String: Any] in
                let years = byHonor[honor]!.keys.sorted { ($0 == 0 ? Int.min : $0) > ($1 == 0 ? Int.min : $1) }
                return ["honor": honor, "years": years.map { year -> [String: Any] in
                    ["year": year == 0 ? "年份未注明" : "\(year)年",
                     "exemplars": byHonor[honor]![year]!.sorted().map { index in
                        ["name": ofKind[index].name,
                         "path": SitePaths.href(SitePaths.exemplar(kind: kind, slug: ofKind[index].slug))]
                     }]
                }]
            }
            return ["kind": kind.rawValue, "label": kind.label, "count": ofKind.count, "honors": honors]
        }
    }

    /// One exemplar with every bulletin naming it, newest first.
    static func detail(_ entry: ExemplarEntry, entry bulletin: (Int) -> [String: Any]) -> [String: Any] {
        [
            "name": entry.name, "kind": entry.kind.rawValue, "kindLabel": entry.kind.label,
            "mentions": entry.mentions.sorted { $0.bulletin < $1.bulletin }.map { mention in
                ViewModel.exemplar(mention.exemplar).merging(["bulletin": bulletin(mention.bulletin)]) { $1 }
            },
        ]
    }
}

/// The context of the Atom feed: the newest bulletins with absolute URLs, dates from the content.
enum FeedContext {
    /// The feed of the bulletins at `items` (site order), whose page is at `path` (site-relative, encoded).
    static func feed(_ model: SiteModel, items: [Int], title: String, path: String, entry: (Int) -> [String: Any]) -> [String: Any] {
        let base = model.config.baseURL ?? ""
        let newest = Array(items.prefix(PagePlan.feedLength))
        let zone = TimeZone(identifier: model.config.timeZone) ?? TimeZone(secondsFromGMT: 0)!
        return [
            "title": title,
            "id": base + path,
            "selfURL": base + path + "feed.xml",
            "siteURL": base + path,
            "updated": newest.first.map { timestamp(model.bulletins[$0].date, zone: zone) } ?? "1970-01-01T00:00:00Z",
            "entries": newest.map { index -> [String: Any] in
                let bulletin = model.bulletins[index]
                let url = base + model.hrefs[index]
                return entry(index).merging([
                    "url": url, "id": url, "updated": timestamp(bulletin.date, zone: zone),
                    "authors": bulletin.bulletin.publishers,
                ]) { $1 }
            },
        ]
    }

    /// RFC 3339 for the start of a calendar day in the site's time zone: `2017-03-07T00:00:00+08:00`.
    static func timestamp(_ date: CalendarDate, zone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let instant = calendar.date(from: DateComponents(year: date.year, month: date.month, day: date.day, hour: 12)) ?? Date(timeIntervalSince1970: 0)
        let offset = zone.secondsFromGMT(for: instant) / 60
        let sign = offset < 0 ? "-" : "+"
        let hours = abs(offset) / 60, minutes = abs(offset) % 60
        return date.iso + "T00:00:00" + sign + (hours < 10 ? "0" : "") + "\(hours):" + (minutes < 10 ? "0" : "") + "\(minutes)"
    }
}
