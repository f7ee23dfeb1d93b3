/// Calendar dates as PostgreSQL counts them: days since 2000-01-01 to and from a proleptic
/// Gregorian year (astronomical: year 0 is 1 BC), month and day — said once for the binary
/// converters, the value parser and the JSON encoder.
package enum CivilDate {
    package static let microsecondsPerDay: Int64 = 86_400_000_000
    /// Year, month, day of the day `days` after 2000-01-01 (H. Hinnant's civil-from-days; every
    /// `Int64` day count, beyond PostgreSQL's range too).
    package static func from(daysSince2000 days: Int64) -> (year: Int, month: Int, day: Int) {
        let z = days + 10_957 + 719_468  // days since 0000-03-01
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (Int(year), Int(month), Int(day))
    }

    /// Microseconds since 2000-01-01 as whole days and the microseconds into the last one (never negative).
    @inline(__always)
    package static func split(microsecondsSince2000 micros: Int64) -> (days: Int64, microseconds: Int64) {
        var days = micros / microsecondsPerDay
        var rest = micros % microsecondsPerDay
        if rest < 0 {
            rest += microsecondsPerDay
            days -= 1
        }
        return (days, rest)
    }

    /// The days from 2000-01-01 to `year`-`month`-`day` (H. Hinnant's days-from-civil).
    package static func daysSince2000(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468 - 10_957
    }
}
