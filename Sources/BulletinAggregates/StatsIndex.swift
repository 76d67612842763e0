import BulletinModel

/// One reported value of a measure.
public struct StatPoint: Sendable, Hashable {
    /// `as_of`, else the bulletin's date.
    public var date: CalendarDate
    public var value: Quantity
    public var label: String
    /// Indices of the bulletins that report this value (into the bulletins the index was built from).
    public var bulletins: [Int]
}

/// The values of one measure in one scope, oldest first.
public struct ScopeSeries: Sendable, Hashable {
    /// Nil for the unscoped series.
    public var scope: String?
    public var points: [StatPoint]

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
public struct StatSeries: Sendable, Hashable {
    public var key: String
    public var unit: String
    /// The label of the latest value.
    public var label: String
    /// The unscoped series first, then by scope.
    public var scopes: [ScopeSeries]
    /// Every bulletin reporting the key, newest first (indices into the bulletins).
    public var bulletins: [Int]
}

/// The same stat `key` means the same measure in every bulletin; this gathers each key's values over time
/// and rejects contradictions (two units for a key, two values for one key, scope and date).
public enum StatsIndex {
    /// Series of every key, sorted by key. `bulletins` are in the site's order (newest first). Two values for
    /// one key, scope and date are reported with `conflictSeverity`; when that is a warning, the newer
    /// bulletin's value is kept as a correction of the older.
    public static func build(_ bulletins: [Bulletin], conflictSeverity: Diagnostic.Severity = .error)
        -> (series: [StatSeries], diagnostics: [Diagnostic]) {
        struct Reported { var stat: Stat; var date: CalendarDate; var bulletin: Int }
        var byKey: [String: [Reported]] = [:]
        for (index, bulletin) in bulletins.enumerated().reversed() {
            for stat in bulletin.stats {
                byKey[stat.key, default: []].append(Reported(stat: stat, date: stat.asOf ?? bulletin.date, bulletin: index))
            }
        }
        var diagnostics: [Diagnostic] = []
        var result: [StatSeries] = []
        for key in byKey.keys.sorted() {
            let reports = byKey[key]!
            let first = reports[0]
            var conflict = false
            for report in reports.dropFirst() where report.stat.unit != first.stat.unit {
                diagnostics.append(place(report.stat, in: bulletins[report.bulletin]).diagnostic(
                    .error, "stat '\(key)' is measured in \(report.stat.unit) here but in \(first.stat.unit) at "
                        + "\(place(first.stat, in: bulletins[first.bulletin])); one key must keep one unit"))
                conflict = true
            }
            if conflict { continue }
            var points: [String: [CalendarDate: StatPoint]] = [:]
            var firstReport: [String: [CalendarDate: Reported]] = [:]
            for report in reports {
                let scope = report.stat.scope ?? ""
                if var point = points[scope]?[report.date] {
                    let earlier = firstReport[scope]![report.date]!
                    if point.value != report.stat.value {
                        let scopeText = report.stat.scope.map { " in \($0)" } ?? ""
                        diagnostics.append(place(report.stat, in: bulletins[report.bulletin]).diagnostic(
                            conflictSeverity, "stat '\(key)'\(scopeText) on \(report.date.iso) is \(report.stat.value.display) here but "
                                + "\(earlier.stat.value.display) at \(place(earlier.stat, in: bulletins[earlier.bulletin])); "
                                + "one key, scope and date can have only one value"))
                        guard conflictSeverity == .warning else { continue }
                        point = StatPoint(date: report.date, value: report.stat.value, label: report.stat.label, bulletins: [])
                        firstReport[scope]![report.date] = report
                    }
                    point.bulletins.append(report.bulletin)
                    points[scope]![report.date] = point
                } else {
                    points[scope, default: [:]][report.date] = StatPoint(
                        date: report.date, value: report.stat.value, label: report.stat.label, bulletins: [report.bulletin])
                    firstReport[scope, default: [:]][report.date] = report
                }
            }
            let scopes = points.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }.map { scope in
                ScopeSeries(scope: scope.isEmpty ? nil : scope,
                            points: points[scope]!.values.sorted { $0.date < $1.date }.map { point in
                                var point = point
                                point.bulletins.sort()
                                return point
                            })
            }
            let latest = reports.max { ($0.date, -$0.bulletin) < ($1.date, -$1.bulletin) }!
            result.append(StatSeries(key: key, unit: first.stat.unit, label: latest.stat.label, scopes: scopes,
                                     bulletins: Array(Set(reports.map(\.bulletin))).sorted()))
        }
        return (result, diagnostics)
    }

    private static func place(_ stat: Stat, in bulletin: Bulletin) -> Origin {
        stat.origin ?? bulletin.origin(of: "stats")
    }
}
