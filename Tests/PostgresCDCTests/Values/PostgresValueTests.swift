import Testing
@testable import PostgresCDC
@testable import PostgresCDCEvents

@Suite struct PostgresValueTests {
    static func value(_ text: String, _ mapping: ValueMapping) -> PostgresValue {
        PostgresValue(text: Array(text.utf8)[...], mapping: mapping)
    }

    @Test func textValuesConvertToTypedCases() {
        #expect(Self.value("t", .bool) == .bool(true))
        #expect(Self.value("-7", .integer) == .int(-7))
        #expect(Self.value("0.5", .float) == .double(0.5))
        #expect(Self.value("12.50", .numeric) == .numeric("12.50"))
        #expect(Self.value("\\x0aff", .bytea) == .bytes([0x0A, 0xFF]))
        #expect(Self.value("2000-01-01 00:00:01.5+00", .timestamptz) == .timestamptz(PostgresTimestamp(microsecondsSince2000: 1_500_000)))
        #expect(Self.value("1999-12-31 23:59:59", .timestamp) == .timestamp(PostgresTimestamp(microsecondsSince2000: -1_000_000)))
        #expect(
            Self.value("{{1,NULL},{3,4}}", .array(element: .integer, delimiter: 44))
                == .array([.array([.int(1), .null]), .array([.int(3), .int(4)])]))
        #expect(Self.value("not a number", .integer) == .text("not a number"))
    }

    @Test func timestampsParseBackToTheSameMicroseconds() {
        for micros: Int64 in [0, -1, 5_097_600_000_000, -946_684_800_000_000, 849_574_923_456_789] {
            var buffer = JSONBuffer()
            buffer.appendTimestamp(PostgresTimestamp(microsecondsSince2000: micros))
            // "YYYY-MM-DDTHH:MM:SS.ffffffZ" → PostgreSQL's "YYYY-MM-DD HH:MM:SS.ffffff+00"
            let iso = String(decoding: buffer.bytes.dropFirst().dropLast(2), as: UTF8.self).replacingOccurrences(of: "T", with: " ")
            #expect(Self.value(iso + "+00", .timestamptz) == .timestamptz(PostgresTimestamp(microsecondsSince2000: micros)), "\(iso)")
        }
    }
}
