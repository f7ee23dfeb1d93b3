import Testing
@testable import PGOutput
@testable import PostgresCDC

/// A chunk of snapshot rows is written in one pass (``SnapshotRowEncoder``), with what its lines
/// share formatted once: the lines and their descriptors must be those of the rows' `read` events
/// written one by one (no server).
@Suite struct SnapshotRowEncoderTests {
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

    /// The chunk's lines against the events' lines, and their descriptors field by field.
    static func compare(format: OutputFormat, timeline: UInt32?) {
        var chunkEncoder = SnapshotRowEncoder(encoder: LineEncoder(format: format, timeline: timeline, database: "app"), rows: rows)
        let chunk = chunkEncoder.encode(table: 0, tuples: tuples, firstSeq: 40)
        var one = LineEncoder(format: format, timeline: timeline, database: "app")
        var buffer = JSONBuffer()
        var lines: [LineDescriptor] = []
        for (index, tuple) in tuples.enumerated() {
            one.encode(.read(rows.change(table: 0, tuple: tuple, seq: 40 + index)), into: &buffer, describing: &lines)
        }
        #expect(String(decoding: chunk.bytes, as: UTF8.self) == String(decoding: buffer.bytes, as: UTF8.self))
        #expect(chunk.rows == 3)
        #expect(chunk.lines.map(\.end) == lines.map(\.end))
        #expect(chunk.lines.map(\.kind) == lines.map(\.kind))
        #expect(chunk.lines.map(\.seq) == lines.map(\.seq))
        #expect(chunk.lines.map(\.commitLSN) == lines.map(\.commitLSN))
        #expect(chunk.lines.map(\.position) == lines.map(\.position))
        #expect(chunk.lines.map(\.tableName) == lines.map(\.tableName))
    }

    @Test(arguments: [nil, 3] as [UInt32?])
    func aChunkIsWrittenAsItsRowsEventsAre(timeline: UInt32?) {
        Self.compare(format: .native, timeline: timeline)
        Self.compare(format: .debezium, timeline: timeline)
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
