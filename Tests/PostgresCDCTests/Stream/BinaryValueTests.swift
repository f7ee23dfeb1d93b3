import Foundation
import Logging
import Testing
@testable import PostgresCDC

/// `--binary`: the server sends each value's send format; pgcdc turns it back into exactly the
/// text the output function gives, so the lines are byte for byte those of text mode.
@Suite struct BinaryValueTests {
    static let setup = """
        CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy "quoted"');
        CREATE DOMAIN positive AS int CHECK (VALUE > 0);
        CREATE TABLE v (
            id int PRIMARY KEY, b bool, i2 int2, i8 int8, o oid, f4 float4, f8 float8, n numeric, t text, vc varchar(20),
            c char(5), nm name, ch "char", by bytea, u uuid, j json, jb jsonb, d date, tm time, ttz timetz,
            ts timestamp, tstz timestamptz, iv interval, ip inet, cidr_ cidr, mac macaddr, mac8 macaddr8,
            bt bit(5), vb varbit, lsn pg_lsn, m mood, p positive,
            ai int[], at text[], an numeric[], am mood[], ats timestamptz[], af float8[]
        );
        CREATE PUBLICATION pub FOR TABLE v;
        """

    static let rows = """
        INSERT INTO v VALUES
          (1, true, -32768, 9223372036854775807, 4294967295, 3.4028235e38, 1e-05, -123456789.000123400, 'plain', 'ünïcödé',
           'ab', 'a name', 'x', '\\x00ff10', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{"a": [1, 2]}', '{"b": {"c": null}, "a": 1.50}',
           '2026-11-25', '23:59:59.999999', '04:05:06.5+05:30', '2026-11-25 01:02:03.4', '2026-11-25 01:02:03.456789+02',
           '1 year 2 mons 3 days 04:05:06.789', '192.168.0.1/24', '10.1.0.0/16', '08:00:2b:01:02:03', '08:00:2b:01:02:03:04:05',
           B'10101', B'1', '16/B374D848', 'happy "quoted"', 42,
           '{1,NULL,3}', '{"",NULL,"NULL","a b","q\\"uote","back\\\\slash",plain,"{x}","a,b"}', '{1.5,NaN,-0.001}',
           '{sad,"happy \\"quoted\\""}',
           '{"2026-01-01 00:00:00+00",infinity}', '{0.1,-0,1e+300,Infinity}'),
          (2, false, 0, -1, 0, -0, -1.5e300, 'NaN', '', '', '', '', '', '', '00000000-0000-0000-0000-000000000000', 'null', '[]',
           '0044-03-15 BC', '00:00:00', '00:00:00-08', '0001-01-01 00:00:00 BC', 'infinity', '-1 days +02:03:00', '::1', '2001:db8::/32',
           '00:00:00:00:00:00', '00:00:00:00:00:00:00:00', B'00000', B'', '0/0', 'sad', 1,
           '{}', '{{a,b},{c,d}}', '{Infinity,-Infinity}', '{}', '{}', '{-1.25e-07,123456789012345680}'),
          (3, NULL, 1, 1, 1, 100, 123456.789, 0.000000010, 'x', 'y', 'z', 'n', 'q', '\\x', 'ffffffff-ffff-ffff-ffff-ffffffffffff',
          '1', '"s"',
           '-infinity', '12:00:00', '12:00:00+00', '-infinity', '1999-12-31 23:59:59.5+00', '-3 years -2 mons +1 day -00:00:01.25',
           '::ffff:1.2.3.4',
           '::/0', 'ff:ff:ff:ff:ff:ff', 'ff:ff:ff:ff:ff:ff:ff:ff', B'11111', B'0101010101', 'FFFFFFFF/FFFFFFFF', 'ok', 7,
           '[0:1]={5,6}', '{NULL}', '{1e+20}', NULL, NULL, '{5e-324,1e+15,1e+16,0.0001,123.456}'),
          (4, true, 2, 2, 2, 0.1, 1e+15, 1e+20, 'tab\\there', 'x', 'y', 'z', 'a', '\\x01', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a12',
          '{}', '{}',
           '1970-01-01', '00:00:00.000001', '23:59:59+14:59:59', '2000-01-01 00:00:00', '2000-01-01 00:00:00.000001+00', '00:00:00',
           'fe80::1:2:3:4/64', '2001:db8:0:0:1::/80', '01:02:03:04:05:06', '01:02:03:04:05:06:07:08', B'00001', B'1111111111111111',
           '1/1', 'ok', 3,
           '{{1,2},{3,4}}', '{" lead"}', '{12345678901234567890.12345678901234567890}', NULL, NULL, '{3.14159}');
        UPDATE v SET f8 = f8 * 3, n = n + 1 WHERE id = 4;
        DELETE FROM v WHERE id = 2;
        """

    /// Streams `rows` through a text slot and a binary slot and returns both captures.
    static func bothWays(
        postgres18: Bool, setup: String = setup, rows: String = rows
    ) throws -> (text: CapturedStream, binary: CapturedStream) {
        let fixture = try StreamFixture.make(setup: setup, postgres18: postgres18)
        var textConfiguration = fixture.configuration()
        textConfiguration.includeTransactionEvents = true
        textConfiguration.binaryValues = false
        var binaryConfiguration = textConfiguration
        binaryConfiguration.slot += "_bin"
        binaryConfiguration.binaryValues = true
        let text = try ReplicationSession(configuration: textConfiguration, logger: Logger(label: "test"))
        defer { text.close() }
        let binary = try ReplicationSession(configuration: binaryConfiguration, logger: Logger(label: "test"))
        defer { binary.close() }
        #expect(!text.usesBinaryValues && binary.usesBinaryValues)
        try fixture.server.psql(rows, database: fixture.database)
        try fixture.stop(text)
        try fixture.stop(binary)
        return (try fixture.drain(text, timeout: .seconds(60)), try fixture.drain(binary, timeout: .seconds(60)))
    }

    @Test(arguments: [false, true])
    func everyTypeGivesTheSameLinesInBinaryAsInText(postgres18: Bool) throws {
        let (text, binary) = try Self.bothWays(postgres18: postgres18)
        #expect(text.lines.count == 12)
        for (index, (left, right)) in zip(binary.lines, text.lines).enumerated() {
            #expect(left == right, "line \(index) differs")
        }
        #expect(binary.lines.count == text.lines.count)
    }

    @Test(arguments: [false, true])
    func everyOtherBuiltInTypeGivesTheSameLinesInBinaryAsInText(postgres18: Bool) throws {
        let (text, binary) = try Self.bothWays(postgres18: postgres18, setup: Self.moreSetup, rows: Self.moreRows)
        #expect(text.lines.count == 11 + 3 * Self.queries.count)
        for (index, (left, right)) in zip(binary.lines, text.lines).enumerated() {
            #expect(left == right, "line \(index) differs")
        }
        #expect(binary.lines.count == text.lines.count)
    }

    @Test func typesAndColumnsAddedMidStreamAreConvertedFromBinary() throws {
        let setup = """
            CREATE TABLE late (id int PRIMARY KEY);
            CREATE PUBLICATION pub FOR TABLE late;
            """
        let rows = """
            INSERT INTO late VALUES (1);
            CREATE TYPE late_pair AS (a int, b text, c numrange);
            CREATE TYPE late_range AS RANGE (subtype = numeric);
            ALTER TABLE late ADD COLUMN p late_pair, ADD COLUMN r late_range, ADD COLUMN mr late_multirange,
                ADD COLUMN ps late_pair[], ADD COLUMN mo money, ADD COLUMN g polygon, ADD COLUMN q tsquery;
            INSERT INTO late VALUES
                (2, ROW(1, 'a b', '[1,2)'), '[1.5,2)', '{[1,2),[3,)}', ARRAY[ROW(NULL, '', 'empty')::late_pair], -12.34,
                 '((0,0),(1,1),(2,-1e-7))', $$'a' <-> !'b':*$$);
            """
        let (text, binary) = try Self.bothWays(postgres18: false, setup: setup, rows: rows)
        #expect(text.lines.filter { $0.contains(#""op":"insert""#) }.count == 2)
        #expect(text.lines.contains { $0.contains(#""mo":"-$12.34""#) && $0.contains(#""q":"'a' <-> !'b':*""#) })
        #expect(binary.lines == text.lines)
    }

    @Test func moneyInTheCUTF8LocaleGivesTheSameLinesInBinaryAsInText() throws {
        let setup = """
            DO $$BEGIN EXECUTE format('ALTER DATABASE %I SET lc_monetary = %L', current_database(), 'C.UTF-8'); END$$;
            CREATE TABLE cash (id int PRIMARY KEY, mo money, amo money[]);
            CREATE PUBLICATION pub FOR TABLE cash;
            """
        let rows = """
            INSERT INTO cash VALUES (1, '-92233720368547758.08', '{0,-0.01,1234567.89}'), (2, '92233720368547758.07', NULL), (3, 0, '{}');
            """
        let (text, binary) = try Self.bothWays(postgres18: false, setup: setup, rows: rows)
        #expect(text.lines.count == 5)
        #expect(binary.lines == text.lines)
    }

    @Test func aColumnWhoseBinaryFormCannotBeConvertedStopsWithItsName() throws {
        let fixture = try StreamFixture.make(
            setup: """
                CREATE TABLE doc (id int PRIMARY KEY, owner regclass);
                CREATE PUBLICATION pub FOR TABLE doc;
                """)
        var configuration = fixture.configuration()
        configuration.binaryValues = true
        let session = try ReplicationSession(configuration: configuration, logger: Logger(label: "test"))
        defer { session.close() }
        try fixture.server.psql("INSERT INTO doc VALUES (1, 'doc')", database: fixture.database)
        try fixture.stop(session)
        #expect {
            _ = try fixture.drain(session, timeout: .seconds(60))
        } throws: { error in
            "\(error)".contains("binaryValues = true: column public.doc.owner has type OID 2205")
        }
    }

    @Test func byDefaultAPublicationOfEveryOtherBuiltInTypeIsStreamedInBinary() throws {
        let fixture = try StreamFixture.make(setup: Self.moreSetup)
        let session = try ReplicationSession(configuration: fixture.configuration(), logger: Logger(label: "test"))
        defer { session.close() }
        #expect(session.usesBinaryValues)
    }

    @Test func byDefaultValuesAreBinaryUnlessAPublishedColumnCannotBeConverted() throws {
        let fixture = try StreamFixture.make(
            setup: """
                CREATE TABLE plain (id int PRIMARY KEY, v text, at timestamptz);
                CREATE TABLE doc (id int PRIMARY KEY, body regclass);
                CREATE PUBLICATION pub FOR TABLE plain;
                CREATE PUBLICATION pub_doc FOR TABLE plain, doc;
                """)
        let binary = try ReplicationSession(configuration: fixture.configuration(), logger: Logger(label: "test"))
        #expect(binary.usesBinaryValues)
        binary.close()
        var withDoc = fixture.configuration()
        withDoc.publication = "pub_doc"
        withDoc.slot += "_doc"
        let text = try ReplicationSession(configuration: withDoc, logger: Logger(label: "test"))
        defer { text.close() }
        #expect(!text.usesBinaryValues)
        try fixture.server.psql("INSERT INTO doc VALUES (1, 'doc')", database: fixture.database)
        try fixture.stop(text)
        let stream = try fixture.drain(text, timeout: .seconds(60))
        #expect(stream.lines.count == 1)
        #expect(stream.lines.first?.contains(#""body":"doc""#) == true)
    }
}
