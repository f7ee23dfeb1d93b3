import PGOutput

/// A reused byte buffer that JSON is written into directly: no `String` building, no Foundation.
package struct JSONBuffer: Sendable {
    /// The bytes written so far.
    package var bytes: [UInt8]

    package init(capacity: Int = 0) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Appends ASCII or UTF-8 text as it is (no quoting or escaping).
    @inlinable
    package mutating func appendRaw(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// Appends bytes as they are.
    @inlinable
    package mutating func appendRaw(_ raw: some Collection<UInt8>) {
        bytes.append(contentsOf: raw)
    }

    /// Appends `text` as a quoted, escaped JSON string.
    package mutating func appendString(_ text: String) {
        var text = text
        text.withUTF8 { utf8 in
            bytes.append(UInt8(ascii: "\""))
            appendEscaped(utf8)
            bytes.append(UInt8(ascii: "\""))
        }
    }

    /// Appends UTF-8 bytes as a quoted, escaped JSON string; invalid UTF-8 becomes U+FFFD.
    package mutating func appendString(utf8: ArraySlice<UInt8>) {
        bytes.append(UInt8(ascii: "\""))
        utf8.withUnsafeBufferPointer { appendEscaped($0) }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Appends a signed integer.
    package mutating func appendInt(_ value: Int64) {
        if value < 0 {
            bytes.append(UInt8(ascii: "-"))
            appendUInt(value.magnitude)
        } else {
            appendUInt(UInt64(value))
        }
    }

    /// Appends an unsigned integer.
    package mutating func appendUInt(_ value: UInt64) {
        if value < 10 {
            bytes.append(UInt8(ascii: "0") &+ UInt8(value))
            return
        }
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes of stack scratch; UInt64.max has 20 digits
        withUnsafeMutableBytes(of: &digits) { scratch in
            var value = value
            var index = scratch.count
            while value > 0 {
                index -= 1
                scratch[index] = UInt8(ascii: "0") &+ UInt8(value % 10)
                value /= 10
            }
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: scratch[index...]))
        }
    }

    /// Appends an LSN as a quoted `"X/Y"` (uppercase hexadecimal, as PostgreSQL prints it).
    package mutating func appendLSN(_ lsn: LSN) {
        bytes.append(UInt8(ascii: "\""))
        appendHex(UInt32(truncatingIfNeeded: lsn.value >> 32))
        bytes.append(UInt8(ascii: "/"))
        appendHex(UInt32(truncatingIfNeeded: lsn.value))
        bytes.append(UInt8(ascii: "\""))
    }

    /// Appends a timestamp as a quoted ISO 8601 UTC string with microseconds: `"2026-11-25T01:02:03.456789Z"`.
    package mutating func appendTimestamp(_ timestamp: PostgresTimestamp) {
        let microsecondsPerDay: Int64 = 86_400_000_000
        let micros = timestamp.microsecondsSince2000
        var days = micros / microsecondsPerDay
        var rest = micros % microsecondsPerDay
        if rest < 0 {
            rest += microsecondsPerDay
            days -= 1
        }
        let (year, month, day) = Self.civil(fromDaysSince2000: days)
        bytes.append(UInt8(ascii: "\""))
        appendDate(year: year, month: month, day: day)
        bytes.append(UInt8(ascii: "T"))
        let seconds = rest / 1_000_000
        appendTwoDigits(Int(seconds / 3600))
        bytes.append(UInt8(ascii: ":"))
        appendTwoDigits(Int(seconds / 60 % 60))
        bytes.append(UInt8(ascii: ":"))
        appendTwoDigits(Int(seconds % 60))
        bytes.append(UInt8(ascii: "."))
        appendPadded(Int(rest % 1_000_000), width: 6)
        bytes.append(UInt8(ascii: "Z"))
        bytes.append(UInt8(ascii: "\""))
    }

    // MARK: - Pieces

    mutating func appendDate(year: Int, month: Int, day: Int) {
        if year < 0 {
            bytes.append(UInt8(ascii: "-"))
            appendPadded(-year, width: 4)
        } else {
            appendPadded(year, width: 4)
        }
        bytes.append(UInt8(ascii: "-"))
        appendTwoDigits(month)
        bytes.append(UInt8(ascii: "-"))
        appendTwoDigits(day)
    }

    @inline(__always)
    mutating func appendTwoDigits(_ value: Int) {
        bytes.append(UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: value / 10 % 10))
        bytes.append(UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: value % 10))
    }

    mutating func appendPadded(_ value: Int, width: Int) {
        var divisor = 1
        for _ in 1..<width { divisor *= 10 }
        var value = value
        if value >= divisor * 10 {
            appendUInt(UInt64(value))
            return
        }
        while divisor > 0 {
            bytes.append(UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: value / divisor))
            value %= divisor
            divisor /= 10
        }
    }

    mutating func appendHex(_ value: UInt32) {
        let digits: StaticString = "0123456789ABCDEF"
        var started = false
        digits.withUTF8Buffer { hex in
            for shift in stride(from: 28, through: 0, by: -4) {
                let nibble = Int((value >> UInt32(shift)) & 0xF)
                if nibble != 0 || started || shift == 0 {
                    started = true
                    bytes.append(hex[nibble])
                }
            }
        }
    }

    /// Year, month, day of the day `days` after 2000-01-01 (proleptic Gregorian; H. Hinnant's algorithm).
    static func civil(fromDaysSince2000 days: Int64) -> (Int, Int, Int) {
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
}
