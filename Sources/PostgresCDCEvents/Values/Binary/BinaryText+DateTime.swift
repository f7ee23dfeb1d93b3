/// Dates and times: the send formats count days or microseconds from 2000-01-01; the text is
/// what `date_out`, `time_out`, `timestamp_out` and `interval_out` write with DateStyle ISO,
/// TimeZone UTC and IntervalStyle postgres (`src/backend/utils/adt/datetime.c`).
extension BinaryText {
    static func appendDate(_ days: Int32, to out: inout [UInt8]) {
        if days == .max { return out.append(contentsOf: "infinity".utf8) }
        if days == .min { return out.append(contentsOf: "-infinity".utf8) }
        let (year, month, day) = CivilDate.from(daysSince2000: Int64(days))
        appendYMD(year, month, day, to: &out)
        if year <= 0 { out.append(contentsOf: " BC".utf8) }
    }

    private static func appendYMD(_ year: Int, _ month: Int, _ day: Int, to out: inout [UInt8]) {
        if year >= 1 && year <= 9999 {
            // YYYY-MM-DD in one piece.
            out.write(reserving: 10) { text in
                text.writePadded(year, width: 4)
                text[4] = UInt8(ascii: "-")
                (text + 5).writePadded(month, width: 2)
                text[7] = UInt8(ascii: "-")
                (text + 8).writePadded(day, width: 2)
                return 10
            }
            return
        }
        appendPadded(year > 0 ? year : 1 - year, width: 4, to: &out)
        out.append(UInt8(ascii: "-"))
        appendPadded(month, width: 2, to: &out)
        out.append(UInt8(ascii: "-"))
        appendPadded(day, width: 2, to: &out)
    }

    /// `HH:MM:SS[.ffffff]` (trailing zeros of the fraction dropped) for a time of day or a timestamp's time.
    static func appendTime(_ micros: Int64, to out: inout [UInt8]) {
        let hours = micros / 3_600_000_000
        let minutes = micros / 60_000_000 % 60
        let seconds = micros / 1_000_000 % 60
        if micros >= 0 && hours < 100 {
            // HH:MM:SS[.ffffff] in one piece.
            out.write(reserving: 15) { text in
                text.writePadded(Int(hours), width: 2)
                text[2] = UInt8(ascii: ":")
                (text + 3).writePadded(Int(minutes), width: 2)
                text[5] = UInt8(ascii: ":")
                (text + 6).writePadded(Int(seconds), width: 2)
                var fraction = Int(micros % 1_000_000)
                guard fraction != 0 else { return 8 }
                // The fraction without its trailing zeros.
                var digits = 6
                while fraction % 10 == 0 {
                    fraction /= 10
                    digits -= 1
                }
                text[8] = UInt8(ascii: ".")
                (text + 9).writePadded(fraction, width: digits)
                return 9 + digits
            }
            return
        }
        appendPadded(Int(hours), width: 2, to: &out)
        out.append(UInt8(ascii: ":"))
        appendPadded(Int(minutes), width: 2, to: &out)
        out.append(UInt8(ascii: ":"))
        appendSeconds(Int(seconds), fraction: Int(micros % 1_000_000), to: &out)
    }

    /// `AppendSeconds`: two-digit seconds, then the fraction without trailing zeros.
    static func appendSeconds(_ seconds: Int, fraction: Int, to out: inout [UInt8]) {
        appendPadded(abs(seconds), width: 2, to: &out)
        guard fraction != 0 else { return }
        out.append(UInt8(ascii: "."))
        var rest = abs(fraction)
        var divisor = 100_000
        while rest > 0 && divisor > 0 {
            out.append(UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: rest / divisor))
            rest %= divisor
            divisor /= 10
        }
    }

    /// `EncodeTimezone` in ISO style: `+HH[:MM[:SS]]`, `offset` seconds east of UTC.
    static func appendZone(_ offset: Int, to out: inout [UInt8]) {
        out.append(offset < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
        let total = abs(offset)
        appendPadded(total / 3600, width: 2, to: &out)
        let minutes = total / 60 % 60, seconds = total % 60
        if minutes != 0 || seconds != 0 {
            out.append(UInt8(ascii: ":"))
            appendPadded(minutes, width: 2, to: &out)
        }
        if seconds != 0 {
            out.append(UInt8(ascii: ":"))
            appendPadded(seconds, width: 2, to: &out)
        }
    }

    static func appendTimestamp(_ micros: Int64, zone: Bool, to out: inout [UInt8]) {
        if micros == .max { return out.append(contentsOf: "infinity".utf8) }
        if micros == .min { return out.append(contentsOf: "-infinity".utf8) }
        let (days, time) = CivilDate.split(microsecondsSince2000: micros)
        let (year, month, day) = CivilDate.from(daysSince2000: days)
        appendYMD(year, month, day, to: &out)
        out.append(UInt8(ascii: " "))
        appendTime(time, to: &out)
        if zone { out.append(contentsOf: "+00".utf8) }
        if year <= 0 { out.append(contentsOf: " BC".utf8) }
    }

    /// `interval_out` with IntervalStyle postgres: `1 year 2 mons 3 days 04:05:06.5`.
    static func appendInterval(micros: Int64, days: Int32, months: Int32, to out: inout [UInt8]) {
        if months == .max && days == .max && micros == .max { return out.append(contentsOf: "infinity".utf8) }
        if months == .min && days == .min && micros == .min { return out.append(contentsOf: "-infinity".utf8) }
        var isZero = true
        var isBefore = false
        func part(_ value: Int64, _ unit: String) {
            guard value != 0 else { return }
            if !isZero { out.append(UInt8(ascii: " ")) }
            if isBefore && value > 0 { out.append(UInt8(ascii: "+")) }
            appendDecimal(value, to: &out)
            out.append(UInt8(ascii: " "))
            out.append(contentsOf: unit.utf8)
            if value != 1 { out.append(UInt8(ascii: "s")) }
            isBefore = value < 0
            isZero = false
        }
        part(Int64(months / 12), "year")
        part(Int64(months % 12), "mon")
        part(Int64(days), "day")
        let hours = micros / 3_600_000_000
        let minutes = micros / 60_000_000 % 60
        let seconds = micros / 1_000_000 % 60
        let fraction = micros % 1_000_000
        if micros >= 0 && (isZero || micros != 0) {
            // A time part without a sign of its own is written as a time of day is.
            if !isZero { out.append(UInt8(ascii: " ")) }
            if isBefore { out.append(UInt8(ascii: "+")) }
            return appendTime(micros, to: &out)
        }
        if isZero || hours != 0 || minutes != 0 || seconds != 0 || fraction != 0 {
            let minus = hours < 0 || minutes < 0 || seconds < 0 || fraction < 0
            if !isZero { out.append(UInt8(ascii: " ")) }
            if minus {
                out.append(UInt8(ascii: "-"))
            } else if isBefore {
                out.append(UInt8(ascii: "+"))
            }
            appendPadded(Int(hours.magnitude), width: 2, to: &out)
            out.append(UInt8(ascii: ":"))
            appendPadded(Int(abs(minutes)), width: 2, to: &out)
            out.append(UInt8(ascii: ":"))
            appendSeconds(Int(seconds), fraction: Int(fraction), to: &out)
        }
    }
}
