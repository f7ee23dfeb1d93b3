import PGOutput
import Testing
@testable import PostgresCDC

@Suite struct CopyBinaryParserTests {
    static let header: [UInt8] = Array("PGCOPY\n".utf8) + [0xFF, 0x0D, 0x0A, 0x00] + int32(0) + int32(0)
    static let trailer: [UInt8] = [0xFF, 0xFF]

    static func int16(_ value: Int16) -> [UInt8] { withUnsafeBytes(of: value.bigEndian, Array.init) }
    static func int32(_ value: Int32) -> [UInt8] { withUnsafeBytes(of: value.bigEndian, Array.init) }
    /// A row: `nil` fields are NULL.
    static func row(_ fields: [[UInt8]?]) -> [UInt8] {
        int16(Int16(fields.count)) + fields.flatMap { field in field.map { int32(Int32($0.count)) + $0 } ?? int32(-1) }
    }

    /// Columns: int8 (binary), timestamptz (binary), regclass (no binary form: text).
    static let message = RelationMessage(
        xid: nil, oid: 1, namespace: "s", name: "t", replicaIdentity: .default,
        columns: [
            .init(isKey: true, name: "a", typeOID: 20, typeModifier: -1), .init(isKey: false, name: "b", typeOID: 1184, typeModifier: -1),
            .init(isKey: false, name: "c", typeOID: 2205, typeModifier: -1),
        ])
    static let format = CopyFormat(for: message, catalog: TypeCatalog(), binary: nil)

    static let copy =
        header + row([[0, 0, 0, 0, 0, 0, 0, 7], [0, 0, 0, 0, 0, 0, 0, 0], Array("pg_class".utf8)]) + row([nil, nil, nil])
        + row([[0, 0, 0, 0, 0, 0, 0, 8], [0, 0, 0, 0, 0, 0, 0, 1], []]) + trailer

    static func parseAll(_ bytes: [UInt8]) throws(CopyRowError) -> (rows: [[TupleData.Column]], end: Int, finished: Bool) {
        var parser = CopyBinaryParser(format: format, columnCount: 3)
        var rows: [[TupleData.Column]] = []
        let end = try parser.parse(bytes, from: 0, into: &rows)
        return (rows, end, parser.isFinished)
    }

    @Test func rowsBecomeTuplesWithTheirColumnsKindsAndTheirValuesReadAsTheStreamReadsThem() throws {
        let (rows, end, finished) = try Self.parseAll(Self.copy)
        #expect(finished && end == Self.copy.count && rows.count == 3)
        #expect(rows[1].map(\.kind) == [.null, .null, .null])
        #expect(rows[0].map(\.kind) == [.binary, .binary, .text])
        let relation = Relation(message: Self.message, catalog: TypeCatalog())
        let row = Row(relation: relation, tuple: TupleData(storage: Self.copy[...], columns: rows[0]), isKeyOnly: false)
        #expect(row.text(at: 0) == "7")
        #expect(row.text(at: 1) == "2000-01-01 00:00:00+00")
        #expect(row.text(at: 2) == "pg_class")
        #expect(Self.format.selection(of: "\"c\"", at: 2) == #"CASE WHEN "c" IS NULL THEN NULL ELSE format('%s', "c") END"#)
        #expect(Self.format.selection(of: "\"a\"", at: 0) == "\"a\"")
        #expect(CopyFormat(for: Self.message, catalog: TypeCatalog(), binary: false) == .text)
    }

    @Test func bytesArrivingInPiecesOfAnySizeGiveTheSameRows() throws {
        let whole = try Self.parseAll(Self.copy).rows
        for step in 1...Self.copy.count {
            var parser = CopyBinaryParser(format: Self.format, columnCount: 3)
            var rows: [[TupleData.Column]] = []
            var buffer: [UInt8] = []
            var parsed = 0
            var offset = 0
            while offset < Self.copy.count {
                buffer += Self.copy[offset..<min(Self.copy.count, offset + step)]
                offset += step
                parsed = try parser.parse(buffer, from: parsed, into: &rows)
            }
            #expect(rows == whole && parsed == Self.copy.count && parser.isFinished, "pieces of \(step) bytes")
        }
    }

    @Test func malformedCopiesAreNamedNotTrapped() throws {
        #expect(throws: CopyRowError.badSignature) { try Self.parseAll(Array("PGCOPY\nXXXXXXXXXXXX".utf8)) }
        let withOIDs = Array(Self.header.prefix(11)) + Self.int32(1 << 16) + Self.int32(0)
        #expect(throws: CopyRowError.unsupportedFlags(1 << 16)) { try Self.parseAll(withOIDs) }
        #expect(throws: CopyRowError.columnCount(expected: 3, found: 2)) { try Self.parseAll(Self.header + Self.row([nil, nil])) }
        let negative = Self.header + Self.int16(3) + Self.int32(-2)
        #expect(throws: CopyRowError.negativeLength(offset: Self.header.count + 2)) { try Self.parseAll(negative) }
        #expect(throws: CopyRowError.dataAfterEnd(offset: Self.header.count + 2)) { try Self.parseAll(Self.header + Self.trailer + [0]) }
        // A copy that stops inside a row, or before its end marker.
        let cut = Self.header + Array(Self.row([[1, 2, 3], nil, nil]).dropLast(2))
        var parser = CopyBinaryParser(format: Self.format, columnCount: 3)
        var rows: [[TupleData.Column]] = []
        let end = try parser.parse(cut, from: 0, into: &rows)
        #expect(rows.isEmpty && end == Self.header.count)
        #expect(throws: CopyRowError.truncated(offset: Self.header.count, bytes: cut.count - end)) {
            try parser.checkEnd(rest: cut.count - end)
        }
        // A huge length in a short buffer is a partial row, not an allocation.
        let huge = Self.header + Self.int16(3) + Self.int32(Int32.max)
        #expect(try Self.parseAll(huge).end == Self.header.count)
    }
}
