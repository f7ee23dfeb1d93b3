import Foundation
import Testing
@testable import PostgresCDC
@testable import PostgresCDCEvents

/// The byte-level JSON writer: escaping, numbers, LSNs, timestamps and every value mapping.
@Suite struct JSONBufferTests {
    static func json(_ body: (inout JSONBuffer) -> Void) -> String {
        var buffer = JSONBuffer()
        body(&buffer)
        return String(decoding: buffer.bytes, as: UTF8.self)
    }

    static func value(_ text: String, _ mapping: ValueMapping) -> String {
        json { $0.appendValue(text: Array(text.utf8)[...], mapping: mapping) }
    }

    @Test func stringsEscapeQuotesBackslashesAndControlCharactersButNotSlash() {
        #expect(Self.json { $0.appendString("a\"b\\c/d\n\r\t\u{8}\u{C}\u{1}\u{1F}é😀") } == #""a\"b\\c/d\n\r\t\b\f\u0001\u001fé😀""#)
    }

    /// Plain bytes are skipped eight at a time (the last ones as an overlapping word): a character
    /// to escape anywhere in strings of every length up to 24 is still escaped, as Foundation escapes it.
    @Test func aCharacterToEscapeIsFoundAtEveryPositionOfEveryLength() throws {
        for length in 1...24 {
            for position in 0..<length {
                for special in ["\"", "\\", "\n", "\u{1}", "é"] {
                    let text = String(repeating: "a", count: position) + special + String(repeating: "b", count: length - position - 1)
                    let written = Self.json { $0.appendString(text) }
                    let read = try JSONSerialization.jsonObject(with: Data(written.utf8), options: .fragmentsAllowed) as? String
                    #expect(read == text, "\(written)")
                }
            }
            let plain = String(repeating: "p", count: length)
            #expect(Self.json { $0.appendString(plain) } == "\"\(plain)\"")
        }
    }

    @Test func invalidUTF8BecomesReplacementCharacters() {
        let cases: [[UInt8]] = [[0xFF], [0xC3, 0x28], [0xED, 0xA0, 0x80], [0xF0, 0x9F, 0x98], [0xC0, 0xAF], [0xF5, 0x80, 0x80, 0x80]]
        for bytes in cases {
            let text = Self.json { $0.appendString(utf8: ([0x61] + bytes + [0x62])[...]) }
            #expect(text.hasPrefix("\"a\u{FFFD}"), "\(bytes) gave \(text)")
            #expect(text.hasSuffix("b\""))
            #expect((try? JSONSerialization.jsonObject(with: Data(text.utf8), options: .fragmentsAllowed)) != nil)
        }
    }

    @Test func integersAndLSNsAreWrittenWithoutStrings() {
        #expect(Self.json { $0.appendInt(0) } == "0")
        #expect(Self.json { $0.appendInt(-42) } == "-42")
        #expect(Self.json { $0.appendInt(Int64.min) } == "-9223372036854775808")
        #expect(Self.json { $0.appendUInt(UInt64.max) } == "18446744073709551615")
        #expect(Self.json { $0.appendLSN(LSN(0x16_B374_D848)) } == #""16/B374D848""#)
        #expect(Self.json { $0.appendLSN(.zero) } == #""0/0""#)
        // Every digit count, at its edges (digits are written two at a time, counted by comparison up to 5).
        var power: UInt64 = 1
        for _ in 0..<20 {
            for value in [power - 1, power, power + 1, power &* 9 &+ (power - 1)] {
                #expect(Self.json { $0.appendUInt(value) } == String(value))
                #expect(Self.json { $0.appendInt(-Int64(truncatingIfNeeded: value)) } == String(-Int64(truncatingIfNeeded: value)))
            }
            power = power &* 10
        }
    }

    @Test(arguments: [
        (Int64(0), "2000-01-01T00:00:00.000000Z"),
        (-1, "1999-12-31T23:59:59.999999Z"),
        (5_097_600_000_000, "2000-02-29T00:00:00.000000Z"),
        (-946_684_800_000_000, "1970-01-01T00:00:00.000000Z"),
        (849_574_923_456_789, "2026-12-03T01:02:03.456789Z"),
        (252_455_615_999_999_999, "9999-12-31T23:59:59.999999Z"),
    ])
    func timestampsAreISO8601UTCWithMicroseconds(micros: Int64, expected: String) {
        #expect(Self.json { $0.appendTimestamp(PostgresTimestamp(microsecondsSince2000: micros)) } == "\"\(expected)\"")
    }

    @Test(arguments: [
        (Int64(-63_145_428_954_999_994), "-0001-01-01T03:04:05.000006Z"),
        (252_455_627_045_000_006, "10000-01-01T03:04:05.000006Z"),
        (-452_670_843_354_999_994, "-12345-06-07T03:04:05.000006Z"),
    ])
    func timestampsOutsideFourDigitYearsTakeTheGeneralPath(micros: Int64, expected: String) {
        #expect(Self.json { $0.appendTimestamp(PostgresTimestamp(microsecondsSince2000: micros)) } == "\"\(expected)\"")
    }

    @Test func scalarMappingsFollowTheEventFormat() {
        #expect(Self.value("t", .bool) == "true")
        #expect(Self.value("f", .bool) == "false")
        #expect(Self.value("-123", .integer) == "-123")
        #expect(Self.value("12a", .integer) == #""12a""#)
        #expect(Self.value("1.5e+20", .float) == "1.5e+20")
        #expect(Self.value("-0", .float) == "-0")
        #expect(Self.value("NaN", .float) == #""NaN""#)
        #expect(Self.value("-Infinity", .float) == #""-Infinity""#)
        #expect(Self.value("01", .float) == #""01""#)
        #expect(Self.value("12345.67890", .numeric) == #""12345.67890""#)
        #expect(Self.value(#"{"a": [1, "/"]}"#, .json) == #"{"a": [1, "/"]}"#)
        #expect(Self.value("\\x01ff", .bytea) == #""\\x01ff""#)
        #expect(Self.value("2026-11-25", .date) == #""2026-11-25""#)
        #expect(Self.value("1 day 02:03:04", .text) == #""1 day 02:03:04""#)
    }

    @Test func timestampTextBecomesISO8601() {
        #expect(Self.value("2026-11-25 01:02:03.45+00", .timestamptz) == #""2026-11-25T01:02:03.450000Z""#)
        #expect(Self.value("2026-11-25 01:02:03+00", .timestamptz) == #""2026-11-25T01:02:03.000000Z""#)
        #expect(Self.value("2026-11-25 01:02:03.123456+00:00", .timestamptz) == #""2026-11-25T01:02:03.123456Z""#)
        #expect(Self.value("2026-11-25 01:02:03.123456", .timestamp) == #""2026-11-25T01:02:03.123456""#)
        #expect(Self.value("12026-11-25 01:02:03", .timestamp) == #""12026-11-25T01:02:03.000000""#)
        // Not UTC, infinite, BC or too precise: PostgreSQL's text, untouched.
        #expect(Self.value("2026-11-25 01:02:03+02", .timestamptz) == #""2026-11-25 01:02:03+02""#)
        #expect(Self.value("infinity", .timestamptz) == #""infinity""#)
        #expect(Self.value("0044-03-15 12:00:00+00 BC", .timestamptz) == #""0044-03-15 12:00:00+00 BC""#)
        #expect(Self.value("2026-11-25 01:02:03.1234567", .timestamp) == #""2026-11-25 01:02:03.1234567""#)
    }

    @Test func arraysBecomeNestedJSONArrays() {
        let ints = ValueMapping.array(element: .integer, delimiter: UInt8(ascii: ","))
        let texts = ValueMapping.array(element: .text, delimiter: UInt8(ascii: ","))
        #expect(Self.value("{1,2,NULL}", ints) == "[1,2,null]")
        #expect(Self.value("{{1,2},{3,4}}", ints) == "[[1,2],[3,4]]")
        #expect(Self.value("{}", ints) == "[]")
        #expect(Self.value("[0:1]={7,8}", ints) == "[7,8]")
        #expect(Self.value(#"{"a,b","c\"d",NULL,"NULL", spaced }"#, texts) == #"["a,b","c\"d",null,"NULL","spaced"]"#)
        #expect(Self.value(#"{"{\"x\": 1}"}"#, .array(element: .json, delimiter: UInt8(ascii: ","))) == #"[{"x": 1}]"#)
        #expect(
            Self.value(#"{"2026-01-01 00:00:00+00"}"#, .array(element: .timestamptz, delimiter: UInt8(ascii: ",")))
                == #"["2026-01-01T00:00:00.000000Z"]"#)
        #expect(
            Self.value("{(0,0),(1,1);(2,2),(3,3)}", .array(element: .text, delimiter: UInt8(ascii: ";")))
                == #"["(0,0),(1,1)","(2,2),(3,3)"]"#)
    }

    /// `array_send` bytes of a one-dimensional array: the header, then each element (`nil`: NULL).
    static func arraySend(_ elements: [[UInt8]?], lowerBound: Int32 = 1) -> [UInt8] {
        func int32(_ value: Int32) -> [UInt8] { withUnsafeBytes(of: value.bigEndian) { Array($0) } }
        var bytes = int32(1) + int32(0) + int32(23) + int32(Int32(elements.count)) + int32(lowerBound)
        for element in elements {
            if let element { bytes += int32(Int32(element.count)) + element } else { bytes += int32(-1) }
        }
        return bytes
    }

    /// Integer arrays are written in one pass; what they give must be what the element-by-element
    /// path gives — NULLs, signs and every width — and malformed bytes must still fall back to it.
    @Test func binaryIntegerArraysAreWrittenInOnePassAsElementByElement() {
        func big<T: FixedWidthInteger>(_ value: T) -> [UInt8] { withUnsafeBytes(of: value.bigEndian) { Array($0) } }
        func json(_ bytes: [UInt8], _ element: BinaryFormat) -> String {
            var buffer = JSONBuffer()
            var scratch: [UInt8] = []
            buffer.appendValue(
                binary: bytes[...], format: .array(element: element, delimiter: UInt8(ascii: ",")),
                mapping: .array(element: .integer, delimiter: UInt8(ascii: ",")), scratch: &scratch)
            return String(decoding: buffer.bytes, as: UTF8.self)
        }
        #expect(json(Self.arraySend([big(Int32(1)), nil, big(Int32(-3)), big(Int32.min)]), .int4) == "[1,null,-3,-2147483648]")
        #expect(json(Self.arraySend([big(Int16.min), big(Int16(0))]), .int2) == "[-32768,0]")
        #expect(json(Self.arraySend([big(Int64.max), big(Int64.min)]), .int8) == "[9223372036854775807,-9223372036854775808]")
        #expect(json(Self.arraySend([nil]), .int4) == "[null]")
        #expect(json(Self.arraySend([]), .int4) == "[]")
        // A lower bound other than 1 and an element of the wrong width: not the one-pass path's to write.
        #expect(json(Self.arraySend([big(Int32(5))], lowerBound: 0), .int4) == "[5]")
        #expect(json(Self.arraySend([big(Int32(5)), big(Int16(6))]), .int4) == #"[5,"\\x0006"]"#)
        // Truncated bytes are no array: the whole value as hex.
        #expect(json(Array(Self.arraySend([big(Int32(5)), big(Int32(6))]).dropLast()), .int4).hasPrefix("\"\\\\x"))
        // Longer arrays than the one pass takes, element by element: the same text.
        let many = (0..<5000).map { big(Int32($0 - 2500)) }
        #expect(json(Self.arraySend(many), .int4) == "[" + (0..<5000).map { String($0 - 2500) }.joined(separator: ",") + "]")
    }

    /// Text arrays whose elements need no escaping are written in one pass; the others, and
    /// malformed bytes, element by element: the same text either way.
    @Test func binaryTextArraysAreWrittenInOnePassAsElementByElement() {
        func json(_ elements: [String?], lowerBound: Int32 = 1, cut: Int = 0) -> String {
            var buffer = JSONBuffer()
            var scratch: [UInt8] = []
            let bytes = Array(Self.arraySend(elements.map { $0.map { Array($0.utf8) } }, lowerBound: lowerBound).dropLast(cut))
            buffer.appendValue(
                binary: bytes[...], format: .array(element: .textual, delimiter: UInt8(ascii: ",")),
                mapping: .array(element: .text, delimiter: UInt8(ascii: ",")), scratch: &scratch)
            return String(decoding: buffer.bytes, as: UTF8.self)
        }
        #expect(json(["x3", nil, "", "a longer plain element"]) == #"["x3",null,"","a longer plain element"]"#)
        #expect(json(["plain", "quote\"d", "back\\slash", "tab\t", "é"]) == #"["plain","quote\"d","back\\slash","tab\t","é"]"#)
        #expect(json([]) == "[]")
        #expect(json(["a", "b"], cut: 1).hasPrefix(#""\\x"#))
    }

    @Test(arguments: ["{1,2", "{1,,2}", "1,2}", "{\"a}", "{1}x", "{{1},2", "", "[0:1]{1}", "{1 2\"}"])
    func malformedArrayTextIsKeptAsAString(text: String) throws {
        let output = Self.value(text, .array(element: .integer, delimiter: UInt8(ascii: ",")))
        let parsed = try JSONSerialization.jsonObject(with: Data(output.utf8), options: .fragmentsAllowed)
        #expect(parsed as? String == text)
    }

    @Test func integersWithLeadingZerosBecomeStrings() {
        // PostgreSQL never writes them, but a value that is not valid JSON must never be written raw.
        #expect(Self.value("007", .integer) == #""007""#)
        #expect(Self.value("-01", .integer) == #""-01""#)
        #expect(Self.value("0", .integer) == "0")
        #expect(Self.value("-0", .integer) == "-0")
        #expect(Self.value("{01,2}", .array(element: .integer, delimiter: 44)) == #"["01",2]"#)
    }

    @Test func generatedValuesAlwaysProduceValidJSON() throws {
        var random = SystemRandomNumberGenerator()
        let alphabet = Array("{}\",\\ NULLnul01-9.eE+tfx[]:=\u{1}é".unicodeScalars)
        let mappings: [ValueMapping] = [
            .bool, .integer, .float, .numeric, .timestamptz, .timestamp, .date, .bytea, .text,
            .array(element: .integer, delimiter: 44), .array(element: .float, delimiter: 44),
            .array(element: .array(element: .bool, delimiter: 44), delimiter: 44),
        ]
        for _ in 0..<2000 {
            let length = Int.random(in: 0..<24, using: &random)
            let text = String(String.UnicodeScalarView((0..<length).map { _ in alphabet.randomElement(using: &random) ?? "x" }))
            for mapping in mappings {
                let output = Self.value(text, mapping)
                #expect(
                    (try? JSONSerialization.jsonObject(with: Data(output.utf8), options: .fragmentsAllowed)) != nil,
                    "\(mapping) of \(text) gave \(output)")
            }
        }
    }

    /// LSNs and timestamps written again come from a memo: the text must be what a fresh buffer writes.
    @Test func repeatedAndAlternatingPositionsAndTimesWriteTheSameTextAsFreshOnes() {
        let lsns =
            [LSN(0x16_B374_D848), LSN(0x16_B374_D848), LSN(1), LSN(0x16_B374_D848), LSN(2), LSN(1), LSN(0xFFFF_FFFF_FFFF_FFFF)]
            + [LSN(3), LSN(4), LSN(5), LSN(6), LSN(7)]
        // Same day, other times of it (the memo keeps the date), a year past 9999 (not memoized) and back.
        let times = [-1, -1, 0, -1, 0, 1_000_000, -1, 86_399_999_999, 3_600_000_007, 320_000_000_000_000_000, 5, 86_400_000_000]
            .map { PostgresTimestamp(microsecondsSince2000: Int64($0)) }
        var reused = JSONBuffer()
        var fresh: [UInt8] = []
        for (lsn, time) in zip(lsns, times) {
            for zone in [true, false, true] {
                reused.appendLSN(lsn)
                reused.appendTimestamp(time, zone: zone)
                var once = JSONBuffer()
                once.appendLSN(lsn)
                once.appendTimestamp(time, zone: zone)
                fresh += once.bytes
            }
        }
        #expect(String(decoding: reused.bytes, as: UTF8.self) == String(decoding: fresh, as: UTF8.self))
        var one = JSONBuffer()
        one.appendTimestamp(PostgresTimestamp(microsecondsSince2000: -1), zone: true)
        #expect(String(decoding: one.bytes, as: UTF8.self) == "\"1999-12-31T23:59:59.999999Z\"")
    }

    /// A position is written from its transaction's memo: alternating transactions, other seqs and LSNs,
    /// a commit time outside four-digit years (not memoized) must read as a fresh buffer writes them.
    @Test func positionsOfAlternatingTransactionsWriteTheSameTextAsFreshOnes() {
        let far = PostgresTimestamp(microsecondsSince2000: 320_000_000_000_000_000)
        let transactions: [(LSN, UInt32, PostgresTimestamp)] = [
            (LSN(0x16_B374_D848), 731, PostgresTimestamp(microsecondsSince2000: 5)), (LSN(0x16_B374_D848), 731, far),
            (LSN(0x16_B374_D848), 732, PostgresTimestamp(microsecondsSince2000: 5)),
            (LSN(1), 731, PostgresTimestamp(microsecondsSince2000: 5)),
            (LSN(1), 731, PostgresTimestamp(microsecondsSince2000: 6)),
        ]
        var reused = JSONBuffer()
        var fresh: [UInt8] = []
        for (round, seq) in [0, 1, -3, 1_000_000].enumerated() {
            for (index, (commitLSN, xid, time)) in (transactions + transactions.reversed()).enumerated() {
                let lsn = LSN(UInt64(round * 100 + index))
                reused.appendPosition(commitLSN: commitLSN, seq: seq, lsn: lsn, xid: xid, commitTime: time)
                reused.appendRaw("\n")
                var once = JSONBuffer()
                once.appendRaw("\"commit_lsn\":")
                once.appendLSN(commitLSN)
                once.appendRaw(",\"seq\":")
                once.appendInt(Int64(seq))
                once.appendRaw(",\"lsn\":")
                once.appendLSN(lsn)
                once.appendRaw(",\"xid\":")
                once.appendUInt(UInt64(xid))
                once.appendRaw(",\"commit_time\":")
                once.appendTimestamp(time)
                once.appendRaw("\n")
                fresh += once.bytes
            }
        }
        #expect(String(decoding: reused.bytes, as: UTF8.self) == String(decoding: fresh, as: UTF8.self))
    }
}
