/// A position in PostgreSQL's write-ahead log (a `pg_lsn`), written `X/Y` in hexadecimal.
///
/// LSNs order WAL positions; they are not unique identifiers of changes (one WAL record
/// can carry many rows, for example a multi-row COPY).
///
/// To store one: as text, `lsn.description` (`"0/16B3748"`, what a `pg_lsn` column takes) and
/// `LSN(text)`; as an integer, ``value`` and `LSN(value)`; or through `Codable` (the text form).
public struct LSN: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The 64-bit WAL position.
    public var value: UInt64

    /// The invalid LSN `0/0`.
    public static let zero = LSN(0)

    /// An LSN from its 64-bit value.
    @inlinable
    public init(_ value: UInt64) {
        self.value = value
    }

    /// Parses the `X/Y` text form (hexadecimal, each half at most 8 digits); `nil` when malformed.
    public init?(_ text: String) {
        var high: UInt64 = 0
        var low: UInt64 = 0
        var digits = 0
        var seenSlash = false
        for byte in text.utf8 {
            if byte == UInt8(ascii: "/") {
                if seenSlash || digits == 0 { return nil }
                seenSlash = true
                digits = 0
                continue
            }
            let nibble: UInt64
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = UInt64(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = UInt64(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): nibble = UInt64(byte - UInt8(ascii: "A") + 10)
            default: return nil
            }
            digits += 1
            if digits > 8 { return nil }
            if seenSlash { low = low << 4 | nibble } else { high = high << 4 | nibble }
        }
        guard seenSlash, digits > 0 else { return nil }
        self.value = high << 32 | low
    }

    /// Parses the `X/Y` text form, throwing ``PGOutputError/invalidLSN(_:)`` when malformed.
    public static func parse(_ text: String) throws(PGOutputError) -> LSN {
        guard let lsn = LSN(text) else { throw PGOutputError.invalidLSN(text) }
        return lsn
    }

    /// The `X/Y` form with uppercase hexadecimal digits, as PostgreSQL prints it.
    public var description: String {
        String(value >> 32, radix: 16, uppercase: true) + "/" + String(value & 0xFFFF_FFFF, radix: 16, uppercase: true)
    }

    @inlinable
    /// WAL order.
    public static func < (lhs: LSN, rhs: LSN) -> Bool {
        lhs.value < rhs.value
    }
}
