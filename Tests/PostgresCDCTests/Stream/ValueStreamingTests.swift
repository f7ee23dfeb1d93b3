import Foundation
import Testing
@testable import PostgresCDC

/// Every built-in type the event format names, plus arrays, an enum and a domain, streamed from a
/// real server and compared byte for byte with the expected JSON.
@Suite struct ValueStreamingTests {
    static let setup = """
        CREATE TYPE mood AS ENUM ('sad', 'happy');
        CREATE DOMAIN posint AS int CHECK (VALUE > 0);
        CREATE TABLE every_type (
            id int PRIMARY KEY, b bool, i2 int2, i4 int4, i8 int8, o oid, f4 float4, f8 float8,
            n numeric(20,5), j json, jb jsonb, ts timestamp, tstz timestamptz, d date, by bytea,
            t text, vc varchar(10), ch char(3), u uuid, ip inet, iv interval, m money, r int4range, tm time,
            ai int[], at text[], a2 int[][], ab bool[], atz timestamptz[], ajb jsonb[],
            e mood, ae mood[], dom posint, adom posint[]
        );
        CREATE PUBLICATION pub FOR TABLE every_type;
        """

    @Test func everyMappedTypeBecomesTheDocumentedJSON() throws {
        let fixture = try StreamFixture.make(setup: Self.setup)
        let stream = try fixture.capture([
            """
            INSERT INTO every_type VALUES (
                1, true, -32768, 2147483647, 9223372036854775807, 4294967295, 1.5, 0.1,
                12345.67890, '{"a": [1, 2]}', '{"b": null}', '2026-11-25 01:02:03.456789', '2026-11-25 01:02:03.45+02',
                '2026-11-25', '\\x0102ff', 'he said "hi"' || E'\\n' || '/', 'abc', 'ab',
                'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '192.168.0.1/24', '1 day 02:03:04', 12.34, '[1,10)', '10:11:12',
                '{1,NULL,3}', '{"a,b","c\\"d",NULL}', '{{1,2},{3,4}}', '{t,f}', '{"2026-01-01 00:00:00+00"}',
                ARRAY['{"x": 1}'::jsonb], 'happy', '{sad,happy}', 5, '{1,2}'
            )
            """
        ])
        #expect(stream.lines.count == 1)
        let expected =
            #""new":{"id":1,"b":true,"i2":-32768,"i4":2147483647,"i8":9223372036854775807,"o":4294967295,"f4":1.5,"f8":0.1,"#
            + #""n":"12345.67890","j":{"a": [1, 2]},"jb":{"b": null},"ts":"2026-11-25T01:02:03.456789","#
            + #""tstz":"2026-11-24T23:02:03.450000Z","d":"2026-11-25","by":"\\x0102ff","t":"he said \"hi\"\n/","vc":"abc","#
            + #""ch":"ab ","u":"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11","ip":"192.168.0.1/24","iv":"1 day 02:03:04","#
            + #""m":"$12.34","r":"[1,10)","tm":"10:11:12","ai":[1,null,3],"at":["a,b","c\"d",null],"a2":[[1,2],[3,4]],"#
            + #""ab":[true,false],"atz":["2026-01-01T00:00:00.000000Z"],"ajb":[{"x": 1}],"e":"happy","ae":["sad","happy"],"#
            + #""dom":5,"adom":[1,2]}}"#
        #expect(stream.lines.first?.hasSuffix(expected) == true, "got \(stream.lines.first ?? "")")
    }

    @Test func specialFloatsNumericsAndTimestampsStayStrings() throws {
        let fixture = try StreamFixture.make(setup: Self.setup)
        let stream = try fixture.capture([
            "INSERT INTO every_type (id, f4, f8, n, ts, tstz) VALUES (2, 'NaN', 'Infinity', 'NaN', 'infinity', '-infinity')",
            "INSERT INTO every_type (id, f8, tstz, d) VALUES (3, '-Infinity', '1999-12-31 23:59:59.999999+00', '0044-03-15 BC')",
        ])
        #expect(stream.lines.count == 2)
        #expect(
            stream.lines[0].contains(#""f4":"NaN","f8":"Infinity","n":"NaN","j":null,"jb":null,"ts":"infinity","tstz":"-infinity""#),
            "got \(stream.lines[0])")
        #expect(stream.lines[1].contains(#""f8":"-Infinity""#), "got \(stream.lines[1])")
        #expect(stream.lines[1].contains(#""tstz":"1999-12-31T23:59:59.999999Z","d":"0044-03-15 BC""#), "got \(stream.lines[1])")
    }

    @Test func nullsAreJSONNull() throws {
        let fixture = try StreamFixture.make(setup: Self.setup)
        let stream = try fixture.capture(["INSERT INTO every_type (id) VALUES (4)"])
        let new = stream.changes.first?["new"] as? [String: Any]
        #expect(new?.count == 34)
        #expect(new?.filter { $0.key != "id" }.allSatisfy { $0.value is NSNull } == true)
    }

    @Test func typeCreatedAfterTheStreamStartedIsResolved() throws {
        let fixture = try StreamFixture.make(setup: "CREATE PUBLICATION pub FOR ALL TABLES;")
        let stream = try fixture.capture([
            "CREATE DOMAIN later_int AS bigint; CREATE TABLE late (id later_int PRIMARY KEY, tags later_int[])",
            "INSERT INTO late VALUES (7, '{8,9}')",
        ])
        #expect(stream.lines.first?.hasSuffix(#""new":{"id":7,"tags":[8,9]}}"#) == true, "got \(stream.lines.first ?? "")")
    }

    @Test func serverAndDatabaseDefaultsDoNotChangeTheOutput() throws {
        let fixture = try StreamFixture.make(
            setup: "CREATE TABLE t (id int PRIMARY KEY, at timestamptz, d date, f float8, b bytea); CREATE PUBLICATION pub FOR TABLE t;")
        try fixture.server.psql(
            """
            ALTER DATABASE \(fixture.database) SET TimeZone = 'Asia/Tokyo';
            ALTER DATABASE \(fixture.database) SET DateStyle = 'SQL, DMY';
            ALTER DATABASE \(fixture.database) SET bytea_output = 'escape';
            ALTER DATABASE \(fixture.database) SET extra_float_digits = -3;
            """, database: fixture.database)
        let stream = try fixture.capture(["INSERT INTO t VALUES (1, '2026-11-25 09:00:00+09', '2026-11-25', 0.1234567890123, 'ab')"])
        #expect(
            stream.lines.first?.hasSuffix(
                #""new":{"id":1,"at":"2026-11-25T00:00:00.000000Z","d":"2026-11-25","f":0.1234567890123,"b":"\\x6162"}}"#) == true,
            "got \(stream.lines.first ?? "")")
    }
}
