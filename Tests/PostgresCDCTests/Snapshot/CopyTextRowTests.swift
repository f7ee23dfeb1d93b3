import PGOutput
import Testing
@testable import PostgresCDC

/// COPY's text format undone into pgoutput's text tuple (no server).
@Suite struct CopyTextRowTests {
    static func values(_ line: String, columns: Int) throws -> [String?] {
        let tuple = try CopyTextRow.parse(Array(line.utf8), expectedColumns: columns)
        return tuple.columns.map { column in
            column.kind == .null ? nil : String(decoding: tuple.storage[column.range], as: UTF8.self)
        }
    }

    @Test func tabsSeparateNullIsBackslashNAndEscapesAreUndone() throws {
        #expect(try Self.values("1\tab\\tc\t\\N\n", columns: 3) == ["1", "ab\tc", nil])
        #expect(try Self.values("\\\\N\t\\n\\r\\b\\f\\v", columns: 2) == ["\\N", "\n\r\u{8}\u{c}\u{b}"])
        #expect(try Self.values("\\101\\x42\\x4a\\q", columns: 1) == ["ABJq"])
        #expect(try Self.values("\t", columns: 2) == ["", ""])
        #expect(try Self.values("h\u{e9}llo", columns: 1) == ["h\u{e9}llo"])
    }

    @Test func aRowWithTheWrongColumnCountOrADanglingBackslashThrows() {
        #expect(throws: CopyRowError.columnCount(expected: 3, found: 2)) {
            try CopyTextRow.parse(Array("a\tb\n".utf8), expectedColumns: 3)
        }
        #expect(throws: CopyRowError.danglingBackslash(offset: 1)) { try CopyTextRow.parse(Array("a\\".utf8), expectedColumns: 1) }
    }
}
