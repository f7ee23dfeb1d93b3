import PostgresCDCTesting
import Testing
@testable import PGOutput
@testable import PostgresCDC

/// A chunk of snapshot rows (``SnapshotRowEncoder``) or of backfilled rows
/// (``LineEncoder/encodeBackfillRows(_:)``) is written in one pass, with what its lines share
/// formatted once: the lines and their descriptors must be those of the rows' `read` events
/// written one by one (no server).
@Suite struct ReadRowsEncodingTests {
    static let docs = HandBuiltRows.docs()
    static let rows = SnapshotRows(
        relations: [docs],
        transaction: TransactionInfo(
            xid: 9, commitLSN: LSN(0x1_2345), commitTime: PostgresTimestamp(microsecondsSince2000: 0), origin: nil),
        consistentPoint: LSN(0x1_2345))
    static let tuples = [
        HandBuiltRows.tuple([.text("1"), .text("a \"quoted\" title"), .null, .text("x")]),
        HandBuiltRows.tuple([.text("2"), .null, .text("body"), .null]),
        HandBuiltRows.tuple([.text("3"), .text("é"), .text(""), .text("\n")]),
    ]

    static let transaction = TransactionInfo(
        xid: 771, commitLSN: LSN(0x2_0000), commitTime: PostgresTimestamp(microsecondsSince2000: 1_000_000), origin: "east")
    static let backfillRows = {
        var rows = BackfillRows(id: "b1", relation: docs, transaction: transaction, lsn: LSN(0x1_FF00), firstSeq: 40)
        for (index, tuple) in tuples.enumerated() { rows.append(tuple, key: "\(index + 1)") }
        return rows
    }()

    /// The chunk's lines against the events' lines, and their descriptors field by field.
    static func compare(format: OutputFormat, timeline: UInt32?, backfill: Bool) {
        let chunk: EncodedRows
        if backfill {
            var encoder = LineEncoder(format: format, timeline: timeline, database: "app", timeSource: time)
            chunk = encoder.encodeBackfillRows(backfillRows)
            #expect(chunk.backfill == "b1")
        } else {
            var chunkEncoder = SnapshotRowEncoder(
                encoder: LineEncoder(format: format, timeline: timeline, database: "app", timeSource: time), rows: rows)
            chunk = chunkEncoder.encode(table: 0, tuples: tuples, firstSeq: 40)
            #expect(chunk.backfill == nil)
        }
        var one = LineEncoder(format: format, timeline: timeline, database: "app", timeSource: time)
        var buffer = JSONBuffer()
        var lines: [LineDescriptor] = []
        for (index, tuple) in tuples.enumerated() {
            let change = backfill ? backfillRows.change(at: index) : rows.change(table: 0, tuple: tuple, seq: 40 + index)
            one.encode(.read(change), into: &buffer, describing: &lines)
        }
        #expect(String(decoding: chunk.bytes, as: UTF8.self) == String(decoding: buffer.bytes, as: UTF8.self))
        // Debezium's ts_ms is the time source's wall clock (2026-01-01T00:00:00Z), in both.
        #expect(format == .native || String(decoding: chunk.bytes, as: UTF8.self).contains(#""ts_ms":1767225600000,"transaction""#))
        #expect(chunk.rows == 3)
        #expect(chunk.lines.map(\.end) == lines.map(\.end))
        #expect(chunk.lines.map(\.kind) == lines.map(\.kind))
        #expect(chunk.lines.map(\.seq) == lines.map(\.seq))
        #expect(chunk.lines.map(\.commitLSN) == lines.map(\.commitLSN))
        #expect(chunk.lines.map(\.position) == lines.map(\.position))
        #expect(chunk.lines.map(\.tableName) == lines.map(\.tableName))
        #expect(chunk.lines.map(\.backfillRow) == lines.map(\.backfillRow))
    }

    /// A clock that stands still, so Debezium's `ts_ms` is the same in every line.
    static let time = ManualTimeSource(unixMicroseconds: 1_767_225_600_000_000)

    @Test(arguments: [nil, 3] as [UInt32?], [false, true])
    func aChunkIsWrittenAsItsRowsEventsAre(timeline: UInt32?, backfill: Bool) {
        Self.compare(format: .native, timeline: timeline, backfill: backfill)
        Self.compare(format: .debezium, timeline: timeline, backfill: backfill)
    }

    @Test func aBackfilledRowsLineTakesItsWatermarksPositionAndNamesTheBackfill() {
        var encoder = LineEncoder(format: .native, timeline: nil, database: "app")
        let chunk = encoder.encodeBackfillRows(Self.backfillRows)
        let first = String(decoding: chunk.bytes[..<chunk.lines[0].end], as: UTF8.self)
        #expect(
            first == """
                {"op":"read","schema":"public","table":"docs","commit_lsn":"0/20000","seq":40,"lsn":"0/1FF00","xid":771,\
                "commit_time":"2000-01-01T00:00:01.000000Z","origin":"east","backfill":"b1",\
                "key":["id"],"new":{"id":1,"title":"a \\"quoted\\" title","body":null,"note":"x"}}\n
                """)
        #expect(chunk.lines.map(\.backfillRow) == ["b1:1", "b1:2", "b1:3"])
        #expect(chunk.lines.map(\.seq) == [40, 41, 42])
    }

    @Test func aSnapshotRowsLineIsPositionedAtTheConsistentPoint() {
        var chunkEncoder = SnapshotRowEncoder(encoder: LineEncoder(format: .native, timeline: 3, database: "app"), rows: Self.rows)
        let chunk = chunkEncoder.encode(table: 0, tuples: Array(Self.tuples.prefix(2)), firstSeq: 0)
        #expect(
            String(decoding: chunk.bytes, as: UTF8.self) == """
                {"op":"read","schema":"public","table":"docs","commit_lsn":"0/12345","seq":0,"lsn":"0/12345","snapshot":true,\
                "key":["id"],"new":{"id":1,"title":"a \\"quoted\\" title","body":null,"note":"x"},"timeline":3}
                {"op":"read","schema":"public","table":"docs","commit_lsn":"0/12345","seq":1,"lsn":"0/12345","snapshot":true,\
                "key":["id"],"new":{"id":2,"title":null,"body":"body","note":null},"timeline":3}\n
                """)
    }
}

extension LineDescriptor {
    /// The table a line names, `nil` for none or several.
    fileprivate var tableName: String? {
        guard case let .table(relation) = target else { return nil }
        return relation.table
    }
}
