import BulletinModel

/// One reported value of a measure.
public struct StatPoint: Sendable, Hashable, Codable {
    /// `as_of`, else the bulletin's date.
    public var date: CalendarDate
    public var value: Quantity
    public var label: String
    /// Indices of the bulletins that report this value (into the bulletins the index was built from).
    public var bulletins: [Int]

    public init(date: CalendarDate, value: Quantity, label: String, bulletins: [Int]) {
        self.date = date
        self.value = value
        self.label = label
        self.bulletins = bulletins
    }
}

/// The values of one measure in one scope, oldest first.
public struct ScopeSeries: Sendable, Hashable, Codable {
    /// Nil for the unscoped series.
    public var scope: String?
    public var points: [StatPoint]

    public init(scope: String?, points: [StatPoint]) {
        self.scope = scope
        self.points = points
    }

    public var latest: StatPoint { points[points.count - 1] }
    /// The value before the latest, for the change against it.
    public var previous: StatPoint? { points.count > 1 ? points[points.count - 2] : nil }

    /// The last value of each year, oldest year first.
    public var yearly: [(year: Int, point: StatPoint)] {
        var byYear: [(year: Int, point: StatPoint)] = []
        for point in points {
            if byYear.last?.year == point.date.year { byYear[byYear.count - 1].point = point } else { byYear.append((point.date.year, point)) }
        }
        return byYear
    }
}

/// Every value of one stat key across the bulletins.
public struct StatSeries: Sendable, Hashable, Codable {
    public var key: String
    public var unit: String
    /// The label of the latest value.
    public var label: String
    /// The unscoped series first, then by scope.
    public var scopes: [ScopeSeries]
    /// Every bulletin reporting the key, newest first (indices into the bulletins).
    public var bulletins: [Int]

    public init(key: String, unit: String, label: String, scopes: [ScopeSeries], bulletins: [Int]) {
        self.key = key
        self.unit = unit
        self.label = label
        self.scopes = scopes
        self.bulletins = bulletins
    }
}

/// The same stat `key` means the same measure in every bulletin; this gathers each key's values over time
/// and rejects contradictions (two units for a key, two values for one key, scope and date).
public enum StatsIndex {
    /// Series of every key, sorted by key. `bulletins` are in the site's order (newest first). Two values for
    /// one key, scope and date are reported with `conflictSeverity`; when that is a warning, the newer
    /// bulletin's value is kept as a correction of the older.
    public static func build(_ bulletins: [Bulletin], conflictSeverity: Diagnostic.Severity = .error)
        -> (series: [StatSeries], diagnostics: [Diagnostic]) {
        /// A stat by where it is (indices into `bulletins` and the bulletin's stats), the date it is for, and
        /// what is compared of it (copied in bulletin order: reading it from the bulletins key by key is slower).
        struct Reported {
            var bulletin: Int
            var stat: Int
            var date: CalendarDate
            var unit: String
            var value: Quantity
            var scope: String?
        }
        /// Where a value goes: its scope and date.
        struct Slot: Hashable { var scope: String; var date: CalendarDate }
        var byKey: [String: [Reported]] = [:]
        for index in bulletins.indices.reversed() {
            let stats = bulletins[index].stats
            for (position, stat) in stats.enumerated() {
                byKey[stat.key, default: []].append(Reported(bulletin: index, stat: position, date: stat.asOf ?? bulletins[index].date,
                                                             unit: stat.unit, value: stat.value, scope: stat.scope))
            }
        }
        func stat(_ report: Reported) -> Stat { bulletins[report.bulletin].stats[report.stat] }
        func place(_ report: Reported) -> Origin {
            bulletins[report.bulletin].stats[report.stat].origin ?? bulletins[report.bulletin].origin(of: "stats")
        }
        var diagnostics: [Diagnostic] = []
        var result: [StatSeries] = []
        for key in byKey.keys.sorted() {
            let reports = byKey[key]!
            let first = reports[0]
            let unit = first.unit
            var conflict = false
            for report in reports.dropFirst() where report.unit != unit {
                diagnostics.append(place(report).diagnostic(
                    .error, "stat '\(key)' is measured in \(report.unit) here but in \(unit) at "
                        + "\(place(first)); one key must keep one unit"))
                conflict = true
            }
            if conflict { continue }
            var points: [StatPoint] = []
            var valueSetBy: [Reported] = []
            var slots: [Slot: Int] = [:]
            slots.reserveCapacity(reports.count)
            for report in reports {
                let slot = Slot(scope: report.scope ?? "", date: report.date)
                guard let existing = slots[slot] else {
                    slots[slot] = points.count
                    points.append(StatPoint(date: report.date, value: report.value, label: stat(report).label, bulletins: [report.bulletin]))
                    valueSetBy.append(report)
                    continue
                }
                if points[existing].value != report.value {
                    let earlier = valueSetBy[existing]
                    let scopeText = report.scope.map { " in \($0)" } ?? ""
                    diagnostics.append(place(report).diagnostic(
                        conflictSeverity, "stat '\(key)'\(scopeText) on \(report.date.iso) is \(report.value.display) here but "
                            + "\(earlier.value.display) at \(place(earlier)); "
                            + "one key, scope and date can have only one value"))
                    guard conflictSeverity == .warning else { continue }
                    points[existing] = StatPoint(date: report.date, value: report.value, label: stat(report).label, bulletins: [])
                    valueSetBy[existing] = report
                }
                points[existing].bulletins.append(report.bulletin)
            }
            var byScope: [String: [Int]] = [:]
            for (slot, point) in slots { byScope[slot.scope, default: []].append(point) }
            let scopes = byScope.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }.map { scope in
                ScopeSeries(scope: scope.isEmpty ? nil : scope,
                            points: byScope[scope]!.sorted { points[$0].date < points[$1].date }.map { index in
                                var point = points[index]
                                point.bulletins.sort()
                                return point
                            })
            }
            let latest = reports.max { ($0.date, -$0.bulletin) < ($1.date, -$1.bulletin) }!
            result.append(StatSeries(key: key, unit: unit, label: stat(latest).label, scopes: scopes,
                                     bulletins: Array(Set(reports.map(\.bulletin))).sorted()))
        }
        return (result, diagnostics)
    }
}
