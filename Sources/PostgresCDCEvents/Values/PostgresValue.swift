import PGOutput

/// A column value, typed by its PostgreSQL type.
public enum PostgresValue: Sendable, Hashable {
    /// SQL NULL.
    case null
    /// `bool`.
    case bool(Bool)
    /// `int2`, `int4`, `int8`, `oid`.
    case int(Int64)
    /// `float4`, `float8` (including NaN and infinities).
    case double(Double)
    /// `numeric`, exactly as PostgreSQL wrote it.
    case numeric(String)
    /// Text and every type without a dedicated case (uuid, inet, interval, enums, ...), in PostgreSQL's text form.
    case text(String)
    /// `bytea`.
    case bytes([UInt8])
    /// `json`, `jsonb`: the JSON text.
    case json(String)
    /// An array (nested for several dimensions).
    case array([PostgresValue])
    /// `timestamptz`.
    case timestamptz(PostgresTimestamp)
    /// `timestamp` (without time zone), as if it were UTC.
    case timestamp(PostgresTimestamp)
    /// `date`, as `YYYY-MM-DD`.
    case date(String)
    /// A TOASTed value the update did not change; the server did not send it.
    case unchangedToast

    /// Converts PostgreSQL's text form by `mapping`; text that does not parse stays `.text`.
    package init(text: ArraySlice<UInt8>, mapping: ValueMapping) {
        let string = String(decoding: text, as: UTF8.self)
        switch mapping {
        case .bool:
            self = string == "t" ? .bool(true) : string == "f" ? .bool(false) : .text(string)
        case .integer:
            self = Int64(string).map { .int($0) } ?? .text(string)
        case .float:
            self = Double(string).map { .double($0) } ?? .text(string)
        case .numeric:
            self = .numeric(string)
        case .json:
            self = .json(string)
        case .timestamptz, .timestamp:
            if let micros = PostgresValue.microsecondsSince2000(text, zone: mapping == .timestamptz) {
                let value = PostgresTimestamp(microsecondsSince2000: micros)
                self = mapping == .timestamptz ? .timestamptz(value) : .timestamp(value)
            } else {
                self = .text(string)
            }
        case .date:
            self = .date(string)
        case .bytea:
            self = PostgresValue.hexBytes(text).map { .bytes($0) } ?? .text(string)
        case .text:
            self = .text(string)
        case let .array(element, delimiter):
            var builder = PostgresArrayBuilder(element: element)
            var parser = ArrayTextParser(text: text, delimiter: delimiter)
            self = parser.parse(into: &builder) ? builder.result ?? .text(string) : .text(string)
        }
    }

    /// `\x0102` → [1, 2].
    static func hexBytes(_ text: ArraySlice<UInt8>) -> [UInt8]? {
        guard text.count >= 2, text.count % 2 == 0, text.first == UInt8(ascii: "\\"),
            text[text.startIndex + 1] == UInt8(ascii: "x")
        else { return nil }
        func nibble(_ byte: UInt8) -> UInt8? {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
            default: return nil
            }
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.count / 2 - 1)
        var index = text.startIndex + 2
        while index < text.endIndex {
            guard let high = nibble(text[index]), let low = nibble(text[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    /// Microseconds since 2000-01-01 of `YYYY-MM-DD HH:MM:SS[.ffffff][+00]`.
    static func microsecondsSince2000(_ text: ArraySlice<UInt8>, zone: Bool) -> Int64? {
        guard let parts = ValueText.timestampParts(text, zone: zone) else { return nil }
        func number(_ range: Range<Int>) -> Int64 {
            text[range].reduce(0) { $0 * 10 + Int64($1 - UInt8(ascii: "0")) }
        }
        let start = parts.dateAndTime.lowerBound
        let dash = start + parts.separatorOffset - 6  // "-MM-DD" precedes the separator
        let year = number(start..<dash)
        let month = number((dash + 1)..<(dash + 3))
        let day = number((dash + 4)..<(dash + 6))
        let timeStart = start + parts.separatorOffset + 1
        let hour = number(timeStart..<(timeStart + 2))
        let minute = number((timeStart + 3)..<(timeStart + 5))
        let second = number((timeStart + 6)..<(timeStart + 8))
        var fraction = number(parts.fraction)
        for _ in parts.fraction.count..<6 { fraction *= 10 }
        let days = CivilDate.daysSince2000(year: year, month: month, day: day)
        return ((days * 24 + hour) * 60 + minute) * 60_000_000 + second * 1_000_000 + fraction
    }
}
