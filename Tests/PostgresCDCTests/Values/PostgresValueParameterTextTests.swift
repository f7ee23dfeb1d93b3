import Foundation
import Testing
@testable import PostgresCDC

/// `PostgresValue.parameterText`: every value of a streamed row, bound as a text parameter into a
/// copy of its table, stores the same row again.
@Suite struct PostgresValueParameterTextTests {
    static let columns = """
        id int, i2 int2, i4 int4, i8 int8, n numeric, nbig numeric(60,20), f4 float4, f8 float8, b bool, t text, by bytea,
        u uuid, tstz timestamptz, ts timestamp, d date, iv interval, jb jsonb, ai int[], at text[], a2 int[][], ip inet
        """
    static let types = [
        "int", "int2", "int4", "int8", "numeric", "numeric(60,20)", "float4", "float8", "bool", "text", "bytea", "uuid",
        "timestamptz", "timestamp", "date", "interval", "jsonb", "int[]", "text[]", "int[][]", "inet",
    ]
    static let setup = """
        CREATE TABLE src (\(columns));
        CREATE TABLE copy (\(columns));
        CREATE PUBLICATION pub FOR TABLE src;
        """
    static let rows = """
        INSERT INTO src VALUES
            (1, -32768, 2147483647, -9223372036854775808, 12345678901234567890.123456789,
             1234567890123456789012345678901234567890.01234567890123456789,
             1.1, 0.1, true, E'quote '' "double" back\\\\slash \\n newline ünïcödé 🐘', '\\x00ff5c22',
             'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '2026-11-26 12:34:56.123456+00', '2026-11-26 12:34:56.000001', '2026-11-26',
             '1 year 2 mons 3 days 04:05:06.789', '{"a": [1, "x\\\\y"], "b": null}', '{1,NULL,-3}',
             ARRAY['a,b', 'c"d', NULL, 'NULL', '', ' sp ', 'back\\slash', '{}'], '{{1,2},{3,NULL}}', '192.168.0.1/24'),
            (2, 0, 0, 0, 'NaN', 0, 'NaN', 'Infinity', false, '', '\\x', '00000000-0000-0000-0000-000000000000',
             '1999-12-31 23:59:59.999999+00', '2000-01-01 00:00:00', '0044-03-15 BC', '-1 days', '[]', '{}', '{}', '{}', '::1'),
            (3, NULL, NULL, NULL, '-Infinity', NULL, '-Infinity', '-Infinity', NULL, NULL, NULL, NULL, 'infinity', '-infinity',
             'infinity', NULL, 'null', NULL, '{NULL}', NULL, NULL),
            (4, NULL, NULL, NULL, NULL, NULL, 3.4028235e+38, 1e-300, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
             NULL, NULL)
        """

    @Test(arguments: [false, true])
    func everyValueBoundAsItsParameterTextStoresTheSameRow(binaryValues: Bool) throws {
        let fixture = try StreamFixture.make(setup: Self.setup)
        let changes = try fixture.rowChanges([Self.rows], binaryValues: binaryValues)
        try #require(changes.count == 4)
        let connection = try PostgresConnection(dsn: fixture.dsn, replication: false)
        defer { connection.close() }
        let placeholders = Self.types.enumerated().map { "$\($0.offset + 1)::\($0.element)" }.joined(separator: ", ")
        for change in changes {
            let row = try #require(change.new)
            let parameters = try (0..<Self.types.count).map { try row.value(at: $0).parameterText }
            try connection.execute("INSERT INTO copy VALUES (\(placeholders))", parameters: parameters)
        }
        let difference = try connection.query(
            "SELECT count(*) AS n FROM ((SELECT * FROM src EXCEPT ALL SELECT * FROM copy) "
                + "UNION ALL (SELECT * FROM copy EXCEPT ALL SELECT * FROM src)) d"
        )
        #expect(difference.value(0, "n") == "0")
        #expect(try connection.query("SELECT count(*) AS n FROM copy").value(0, "n") == "4")
        // EXCEPT compares with each type's equality (interval '1 day' = '24 hours'); the text forms must match too.
        let texts = try connection.query(
            "SELECT count(*) AS n FROM (SELECT s.* FROM src s JOIN copy c USING (id) WHERE s::text IS DISTINCT FROM c::text) d")
        #expect(texts.value(0, "n") == "0")
    }

    @Test func arrayLiteralsQuoteWhatArrayInWouldReadOtherwise() throws {
        let value = PostgresValue.array([.text("a\"b"), .null, .text("NULL"), .text(""), .text("x y"), .array([.int(1)]), .bytes([0x5C])])
        #expect(try value.parameterText == #"{"a\"b",NULL,"NULL","","x y",{1},"\\x5c"}"#)
        #expect(try PostgresValue.null.parameterText == nil)
        #expect(try PostgresValue.timestamptz(PostgresTimestamp(microsecondsSince2000: 1)).parameterText == "2000-01-01 00:00:00.000001+00")
        #expect(try PostgresValue.double(.nan).parameterText == "NaN")
        #expect(try PostgresValue.bool(false).parameterText == "f")
    }

    @Test func anUnchangedToastValueHasNoParameterText() {
        #expect(throws: PostgresValueError.unchangedToast(expected: "parameter text")) { try PostgresValue.unchangedToast.parameterText }
    }
}
