/// The second table of ``BinaryValueTests``: every built-in type beyond the scalars (money,
/// geometry, text search, ranges and multiranges, composites, snapshots, vectors, …) with edge values.
extension BinaryValueTests {
    static let moreSetup = """
        CREATE TYPE level AS ENUM ('low', 'high "x"');
        CREATE TYPE pair AS (a int, b text);
        CREATE TYPE nested AS (p pair, label text, n numeric, at timestamptz[], l level);
        CREATE TYPE floatrange AS RANGE (subtype = float8);
        CREATE TYPE textrange AS RANGE (subtype = text);
        CREATE DOMAIN short_text AS text;
        -- NULL on a server built without libxml, where xml input is not supported.
        CREATE FUNCTION try_xml(text) RETURNS xml LANGUAGE plpgsql AS
            $$BEGIN RETURN $1::xml; EXCEPTION WHEN feature_not_supported THEN RETURN NULL; END$$;
        CREATE TABLE w (
            id int PRIMARY KEY, mo money, pt point, ln line, ls lseg, bx box, pa path, po polygon, ci circle,
            tv tsvector, tq tsquery, r4 int4range, r8 int8range, rn numrange, rts tsrange, rtz tstzrange, rd daterange,
            mr4 int4multirange, mrd datemultirange, mrn nummultirange, fr floatrange, fmr floatmultirange, tr textrange,
            comp pair, nest nested, x xml, ts txid_snapshot, ps pg_snapshot, i2v int2vector, ov oidvector, jp jsonpath,
            t tid, x8 xid8, c cid, rc refcursor, st short_text,
            ar int4range[], ac pair[], ap point[], ab box[], amo money[], atv tsvector[], amr int4multirange[], atq tsquery[],
            cn information_schema.cardinal_number, si information_schema.sql_identifier
        );
        CREATE PUBLICATION pub FOR TABLE w;
        """

    /// tsquery shapes, one row each: operators, priorities, phrase distances, prefixes, weights, quoting.
    static let queries = [
        "'a' & 'b' | 'c'", "'a' & ( 'b' | 'c' )", "!'a' & !( 'b' | 'c' )", "'a' <-> ( 'b' <-> 'c' )", "( 'a' <-> 'b' ) <-> 'c'",
        "'a' <2> 'b' <0> 'c'", "'fat':*AB & 'rat':D | 'it''s' & 'back\\\\slash':*", "!!'a'", "'a' <-> !'b' & 'c'",
        "( 'a' | 'b' ) <3> ( 'c' & 'd' )", "'x y' | 'ünï'",
    ]

    static var moreRows: String {
        var sql = """
            INSERT INTO w VALUES
              (1, '-92233720368547758.08', '(1.5,-2)', '{1,2,3}', '[(0,0),(1,1.5)]', '(1,1),(0,0)', '[(0,0),(1,1),(2,0)]',
               '((0,0),(1,1),(1,0))', '<(1,2),3>',
               $$'a':1A,2B 'fat':3C,4 'it''s' 'back\\\\slash' cat 'ünï':16383$$,
               $$!'a' & ('b' | 'c':*AB) <-> 'd' <2> 'e''s' | 'f':*$$,
               '[1,10)', '(,5]', '[1.5,)', '["2026-01-01 00:00","2026-01-02 00:00")', '[-infinity,infinity]', 'empty',
               '{[1,3),[5,7)}', '{}', '{[0.5,1],(2,)}', '(-Infinity,NaN]', '{(-Infinity,0),[1e300,Infinity]}', $$["","a""b\\\\c")$$,
               ROW(1, 'x y'), ROW(ROW(2, NULL)::pair, NULL, 3.5, ARRAY['2026-01-01 00:00+00'::timestamptz], 'high "x"'),
               try_xml('<a b="1">t&amp;</a>'), '10:20:10,14,15', '10:20:', '1 2 -3', '1 2 4294967295', '$.a[*] ? (@ > 1)',
               '(0,1)', '18446744073709551615', '4294967295', 'cursor "name"', '',
               ARRAY['[1,2)'::int4range, 'empty'], ARRAY[ROW(1, 'a')::pair, NULL, ROW(NULL, '')::pair, ROW(3, 'q"\\\\(,)')::pair],
               '{"(1,2)","(NaN,Infinity)"}', '{(1,1),(0,0);(3,3),(2,2)}', '{1.5,-2,0}', ARRAY['a b'::tsvector, ''::tsvector],
               ARRAY['{[1,2),[3,4)}'::int4multirange, '{}'], ARRAY[$$'a' & 'b'$$::tsquery, $$!'c'$$], 0, 'id'),
              (2, '92233720368547758.07', '(NaN,-Infinity)', '{-1,0,1e+300}', '[(-0,0.1),(1e-300,5e-324)]', '(0,0),(0,0)',
               '((1,2),(3,4))', '((0,0))', '<(0,0),0>', '', '', 'empty', '[-9223372036854775808,9223372036854775807)',
               '(-1e-20,1e20]', '(,"2026-01-01 00:00:00.5")', '(infinity,)', '[2026-01-01,2026-12-31]',
               '{(,),[1,2)}', '{[2026-01-01,infinity)}', '{empty}', 'empty', '{}', '(" ",)',
               ROW(NULL, NULL), ROW(ROW(-1, 'a "quoted" (x), \\\\ back')::pair, E'tab\\there', NULL, '{}', NULL),
               try_xml('<?xml version="1.0"?><r/>'), '1:1:', '5:9:5,6', '', '', '$', '(4294967295,65535)', '0', '0', '', 'x',
               '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', 7, ''),
              (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
               NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
               ARRAY[NULL::int4range], ARRAY[NULL::pair], '{NULL}', '{NULL}', '{NULL}', '{NULL}', '{NULL}', '{NULL}', NULL, NULL);
            UPDATE w SET mo = mo - 1::money, comp = ROW((comp).a, 'updated') WHERE id = 2;
            DELETE FROM w WHERE id = 3;

            """
        for (index, query) in queries.enumerated() {
            sql += "INSERT INTO w (id, tq) VALUES (\(100 + index), $$\(query)$$);\n"
        }
        return sql
    }
}
