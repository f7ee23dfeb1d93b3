import Foundation
import Testing
@testable import PostgresCDC
@testable import PostgresCDCEvents

/// The binary converters of the types beyond the scalars, on hand-built send formats: valid bytes
/// give the output function's text; bytes that are no value of the type give `false` and leave
/// the output as it was (no server; the byte-for-byte comparison with text mode is BinaryValueTests).
@Suite struct BinaryTextTests {
    static func int32(_ value: Int32) -> [UInt8] { withUnsafeBytes(of: value.bigEndian, Array.init) }
    static func int16(_ value: Int16) -> [UInt8] { withUnsafeBytes(of: value.bigEndian, Array.init) }
    static func int64(_ value: Int64) -> [UInt8] { withUnsafeBytes(of: value.bigEndian, Array.init) }
    static func float8(_ value: Double) -> [UInt8] { withUnsafeBytes(of: value.bitPattern.bigEndian, Array.init) }
    static func prefixed(_ bytes: [UInt8]) -> [UInt8] { int32(Int32(bytes.count)) + bytes }

    static let money = MoneyFormat(
        points: 2, positive: "$92,233,720,368,547,758.07", negative: "-$92,233,720,368,547,758.07", samples: [])

    /// The text of `bytes` in `format`, or `nil`; checks that a failure leaves `out` untouched.
    static func text(_ bytes: [UInt8], _ format: BinaryFormat) -> String? {
        var out: [UInt8] = Array("keep".utf8)
        guard BinaryText.append(bytes[...], as: format, to: &out) else {
            #expect(out == Array("keep".utf8))
            return nil
        }
        return String(decoding: out.dropFirst(4), as: UTF8.self)
    }

    @Test func geometricValuesAreWrittenWithShortestFloats() {
        #expect(Self.text(Self.float8(1.5) + Self.float8(-.infinity), .point) == "(1.5,-Infinity)")
        #expect(
            Self.text([1] + Self.int32(2) + Self.float8(0) + Self.float8(1) + Self.float8(0.1) + Self.float8(2), .path) == "((0,1),(0.1,2))"
        )
        #expect(Self.text([0] + Self.int32(1) + Self.float8(.nan) + Self.float8(1e300), .path) == "[(NaN,1e+300)]")
        #expect(Self.text(Self.float8(1) + Self.float8(2) + Self.float8(3), .circle) == "<(1,2),3>")
        #expect(Self.text(Self.float8(1) + Self.float8(2) + Self.float8(3), .line) == "{1,2,3}")
    }

    @Test func malformedGeometricValuesAreRefused() {
        #expect(Self.text(Self.float8(1.5), .point) == nil)
        #expect(Self.text(Self.float8(1.5) + Self.float8(1) + [0], .point) == nil)
        #expect(Self.text([2] + Self.int32(1) + Self.float8(0) + Self.float8(1), .path) == nil)
        #expect(Self.text([1] + Self.int32(0), .path) == nil)
        #expect(Self.text(Self.int32(Int32.max) + Self.float8(0) + Self.float8(1), .polygon) == nil)
        #expect(Self.text(Self.int32(-1), .polygon) == nil)
    }

    @Test func rangesQuoteBoundsAsRangeOutDoes() {
        let text = BinaryFormat.range(subtype: .textual)
        #expect(Self.text([0x01], text) == "empty")
        #expect(Self.text([0x02 | 0x10] + Self.prefixed(Array("a b".utf8)), text) == #"["a b",)"#)
        #expect(Self.text([0x04] + Self.prefixed([]) + Self.prefixed(Array(#"q"\"#.utf8)), text) == #"("","q""\\"]"#)
        #expect(Self.text([0x08 | 0x10], .range(subtype: .int4)) == "(,)")
        // Flags range_recv ignores are ignored here too.
        #expect(Self.text([0x03], .range(subtype: .int4)) == "empty")
        #expect(Self.text([0x80 | 0x08 | 0x10], .range(subtype: .int4)) == "(,)")
        let multirange =
            Self.int32(2) + Self.prefixed([0x01]) + Self.prefixed([0x02] + Self.prefixed(Self.int32(1)) + Self.prefixed(Self.int32(3)))
        #expect(Self.text(multirange, .multirange(subtype: .int4)) == "{empty,[1,3)}")
        #expect(Self.text(Self.int32(0), .multirange(subtype: .int4)) == "{}")
    }

    @Test func malformedRangesAreRefused() {
        #expect(Self.text([], .range(subtype: .int4)) == nil)
        #expect(Self.text([0x01, 0], .range(subtype: .int4)) == nil)
        #expect(Self.text([0x02], .range(subtype: .int4)) == nil)
        #expect(Self.text([0x10] + Self.int32(4) + Self.int16(1), .range(subtype: .int4)) == nil)
        #expect(Self.text([0x02] + Self.prefixed(Self.int16(1)) + Self.prefixed(Self.int32(1)), .range(subtype: .int4)) == nil)
        #expect(Self.text([0x02] + Self.int32(-1), .range(subtype: .int4)) == nil)
        #expect(Self.text(Self.int32(1) + Self.prefixed([0x01]) + [0], .multirange(subtype: .int4)) == nil)
        #expect(Self.text(Self.int32(Int32.max), .multirange(subtype: .int4)) == nil)
    }

    @Test func compositesWriteNullAsNothingAndQuoteFields() {
        let fields = [CompositeField(typeOID: 23, format: .int4), CompositeField(typeOID: 25, format: .textual)]
        let value = Self.int32(2) + Self.int32(23) + Self.int32(-1) + Self.int32(25) + Self.prefixed(Array(#"a "b", (c)"#.utf8))
        #expect(Self.text(value, .composite(fields)) == #"(,"a ""b"", (c)")"#)
        let empty = Self.int32(2) + Self.int32(23) + Self.prefixed(Self.int32(-7)) + Self.int32(25) + Self.prefixed([])
        #expect(Self.text(empty, .composite(fields)) == #"(-7,"")"#)
    }

    @Test func malformedCompositesAreRefused() {
        let fields = [CompositeField(typeOID: 23, format: .int4)]
        #expect(Self.text(Self.int32(2) + Self.int32(23) + Self.int32(-1), .composite(fields)) == nil)
        #expect(Self.text(Self.int32(1) + Self.int32(25) + Self.int32(-1), .composite(fields)) == nil)
        #expect(Self.text(Self.int32(1) + Self.int32(23) + Self.int32(1000), .composite(fields)) == nil)
        #expect(Self.text(Self.int32(1) + Self.int32(23) + Self.prefixed([1, 2]), .composite(fields)) == nil)
        #expect(Self.text(Self.int32(1) + Self.int32(23) + Self.int32(-1) + [0], .composite(fields)) == nil)
    }

    @Test func textSearchValuesAreWrittenAsTheirOutputFunctionsDo() {
        let vector =
            Self.int32(2) + Array("it's".utf8) + [0] + Self.int16(2) + Self.int16(Int16(bitPattern: 0xC001)) + Self.int16(2)
            + Array(#"b\"#.utf8) + [0] + Self.int16(0)
        #expect(Self.text(vector, .tsvector) == #"'it''s':1A,2 'b\\'"#)
        #expect(Self.text(Self.int32(0), .tsvector) == "")
        // 'a' & ( 'b' | 'c':*B ): prefix order is operator, right operand, left operand.
        func operand(_ text: String, weight: UInt8 = 0, prefix: UInt8 = 0) -> [UInt8] { [1, weight, prefix] + Array(text.utf8) + [0] }
        let query = Self.int32(5) + [2, 2] + [2, 3] + operand("c", weight: 4, prefix: 1) + operand("b") + operand("a")
        #expect(Self.text(query, .tsquery) == "'a' & ( 'b' | 'c':*B )")
        let phrase = Self.int32(4) + [2, 4] + Self.int16(2) + operand("y") + [2, 1] + operand("x")
        #expect(Self.text(phrase, .tsquery) == "!'x' <2> 'y'")
        #expect(Self.text(Self.int32(0), .tsquery) == "")
    }

    @Test func malformedTextSearchValuesAreRefused() {
        #expect(Self.text(Self.int32(1) + Array("a".utf8), .tsvector) == nil)
        #expect(Self.text(Self.int32(1) + [UInt8(ascii: "a"), 0] + Self.int16(5), .tsvector) == nil)
        #expect(Self.text(Self.int32(Int32.max), .tsvector) == nil)
        // An operator without operands, two trees, an unknown operator, a weight out of range.
        #expect(Self.text(Self.int32(1) + [2, 2], .tsquery) == nil)
        #expect(Self.text(Self.int32(2) + [1, 0, 0, 97, 0] + [1, 0, 0, 98, 0], .tsquery) == nil)
        #expect(Self.text(Self.int32(3) + [2, 9] + [1, 0, 0, 97, 0] + [1, 0, 0, 98, 0], .tsquery) == nil)
        #expect(Self.text(Self.int32(1) + [1, 16, 0, 97, 0], .tsquery) == nil)
        #expect(Self.text(Self.int32(1) + [1, 0, 0, 97], .tsquery) == nil)
    }

    @Test func aDeepQueryIsWrittenWithoutRecursion() {
        let depth = 100_000
        let query = Self.int32(Int32(depth + 1)) + Array([[UInt8]](repeating: [2, 1], count: depth).joined()) + [1, 0, 0, 97, 0]
        #expect(Self.text(query, .tsquery) == String(repeating: "!", count: depth) + "'a'")
    }

    @Test func snapshotsVectorsAndMoney() {
        let snapshot = Self.int32(2) + Self.int64(10) + Self.int64(20) + Self.int64(11) + Self.int64(14)
        #expect(Self.text(snapshot, .snapshot) == "10:20:11,14")
        #expect(Self.text(Self.int32(0) + Self.int64(3) + Self.int64(3), .snapshot) == "3:3:")
        let vector =
            Self.int32(1) + Self.int32(0) + Self.int32(21) + Self.int32(2) + Self.int32(0) + Self.prefixed(Self.int16(1))
            + Self.prefixed(Self.int16(-3))
        #expect(Self.text(vector, .vector(element: .int2)) == "1 -3")
        guard let money = Self.money else { return #expect(Bool(false), "the C locale's layout is learned") }
        #expect(Self.text(Self.int64(-123_456), .money(money)) == "-$1,234.56")
        #expect(Self.text(Self.int64(5), .money(money)) == "$0.05")
        #expect(Self.text(Self.int64(Int64.min), .money(money)) == "-$92,233,720,368,547,758.08")
    }

    @Test func malformedSnapshotsVectorsAndMoneyAreRefused() {
        #expect(Self.text(Self.int32(2) + Self.int64(10) + Self.int64(20) + Self.int64(11), .snapshot) == nil)
        #expect(Self.text(Self.int32(-1) + Self.int64(10) + Self.int64(20), .snapshot) == nil)
        #expect(Self.text(Self.int32(2) + Self.int32(0) + Self.int32(21), .vector(element: .int2)) == nil)
        let short = Self.int32(1) + Self.int32(0) + Self.int32(21) + Self.int32(2) + Self.int32(0) + Self.prefixed(Self.int16(1))
        #expect(Self.text(short, .vector(element: .int2)) == nil)
        guard let money = Self.money else { return }
        #expect(Self.text(Self.int32(5), .money(money)) == nil)
    }

    @Test func moneyLayoutsAreLearnedFromTheServersTextOrRefused() {
        // A locale that writes 1.234,56 € and -1.234,56 €.
        let euro = MoneyFormat(
            points: 2, positive: "92.233.720.368.547.758,07 €", negative: "-92.233.720.368.547.758,07 €",
            samples: [(0, "0,00 €"), (-1, "-0,01 €")])
        var out: [UInt8] = []
        euro?.append(123_456, to: &out)
        #expect(String(decoding: out, as: UTF8.self) == "1.234,56 €")
        // No fraction digits, groups of four, the sign in parentheses.
        let yen = MoneyFormat(points: 0, positive: "¥922 3372 0368 5477 5807", negative: "(¥922 3372 0368 5477 5807)", samples: [])
        out = []
        yen?.append(-12345, to: &out)
        #expect(String(decoding: out, as: UTF8.self) == "(¥1 2345)")
        // Digits that are not the sample's, or a sample the layout does not reproduce.
        #expect(MoneyFormat(points: 2, positive: "$1.00", negative: "-$1.00", samples: []) == nil)
        #expect(
            MoneyFormat(
                points: 2, positive: "$92,233,720,368,547,758.07", negative: "-$92,233,720,368,547,758.07", samples: [(0, "$0")]) == nil)
    }

    /// Floats in Swift's fixed notation are copied (but for a trailing ".0"); every value must read
    /// exactly as the general layout of its `description` writes it, at the edges of fixed notation
    /// and of the short-decimal path too.
    @Test func floatsCopiedFromFixedNotationReadAsTheGeneralLayoutWritesThem() {
        func general(_ description: String, negative: Bool, fixedLimit: Int) -> String {
            var text = description
            var out: [UInt8] = []
            text.withUTF8 { BinaryText.appendGeneral($0, negative: negative, fixedLimit: fixedLimit, to: &out) }
            return String(decoding: out, as: UTF8.self)
        }
        var generator = SystemRandomNumberGenerator()
        var doubles: [Double] = [
            0, -0.0, 1, -1, 0.75, 100, 0.1, 1e-4, 1.5e-4, 9.99e-5, 1e-5, 1e14, 1e15, 123456789012345.6, 1e16,
            // At the edges of the short-decimal path: places, size, and sums whose digits are long.
            0.00012345678, -0.000123456789, 999_999_999_999_999, 1_125_899_906_842_623, 112_589_990_684.2623, 0.1 + 0.2, 1.0 / 3,
            2.5e-4, 12_345.678_901_23, .leastNonzeroMagnitude, 1e-300, -1234.75,
        ]
        var floats: [Float] = [0, -0.0, 1, 0.33333334, 1e5, 999_999, 1e6, 1_234_567, 1e-4, 9.9e-5, 3.4028235e38]
        for _ in 0..<20_000 {
            doubles.append(Double(bitPattern: generator.next()))
            doubles.append(
                Double(Int64.random(in: -1_000_000_000...1_000_000_000, using: &generator))
                    / ([1, 10, 1000, 1e6, 1e12].randomElement() ?? 1))
            floats.append(Float(bitPattern: UInt32.random(in: 0...UInt32.max, using: &generator)))
            floats.append(Float(Int32.random(in: -10_000_000...10_000_000, using: &generator)) / ([1, 10, 1000, 1e6].randomElement() ?? 1))
            // Short decimals of every size and number of places.
            let places = Int.random(in: 0...10, using: &generator)
            let digits = Int64.random(in: -(1 << 53)...(1 << 53), using: &generator) >> Int.random(in: 0...50, using: &generator)
            doubles.append(Double(digits) / pow(10, Double(places)))
        }
        func check<Value: BinaryFloatingPoint>(_ values: [Value], fixedLimit: Int, _ shortest: (Value, inout [UInt8]) -> Void) {
            for value in values where value.isFinite {
                var out: [UInt8] = []
                shortest(value, &out)
                let expected = general(String(describing: value), negative: value.sign == .minus, fixedLimit: fixedLimit)
                #expect(String(decoding: out, as: UTF8.self) == expected, "\(value)")
            }
        }
        check(doubles, fixedLimit: 15) { BinaryText.appendShortest($0, to: &$1) }
        check(floats, fixedLimit: 6) { BinaryText.appendShortest($0, to: &$1) }
    }
}
