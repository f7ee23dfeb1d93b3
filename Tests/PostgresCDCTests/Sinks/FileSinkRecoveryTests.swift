import Foundation
import PGOutput
import Testing
@testable import PostgresCDC

/// The file sink finds the last complete transaction in a Debezium-format file by its END
/// records, as it does by commit lines in a native one (no server).
@Suite struct FileSinkRecoveryTests {
    typealias Events = LineEncoderTests

    static func debezium(_ events: [ChangeEvent], snapshotEnd: Bool = false) -> String {
        var encoder = LineEncoder(format: .debezium, timeline: 1, database: "app")
        encoder.marksSnapshotEnd = snapshotEnd
        return String(decoding: Events.encode(events, encoder).lines, as: UTF8.self)
    }

    static let transaction = debezium(Array(Events.events[0...4]))
    static let standalone = debezium([Events.events[5]])
    /// A second transaction whose END record was never written.
    static let unfinished = debezium([.begin(Events.transaction), Events.insert(2, seq: 0)])

    /// A sink on `out.jsonl` with an origin record, as pgcdc leaves it.
    func sink(_ directory: ScratchDirectory) -> FileSink {
        let sink = FileSink(configuration: FileSink.Configuration(path: directory.file("out.jsonl")))
        try? sink.recordOrigin(SinkOrigin(slot: "s", systemIdentifier: "1", timeline: 1))
        return sink
    }

    @Test func rowsAfterTheLastENDRecordAreCutAndItsEndLSNResumes() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        try directory.write("out.jsonl", Self.transaction + Self.unfinished + #"{"before":null,"af"#)
        let sink = sink(directory)
        #expect(try sink.open() == LSN(0x1C8))
        #expect(try directory.read("out.jsonl") == Self.transaction)
        #expect(sink.recoveredBytesDropped == (Self.unfinished + #"{"before":null,"af"#).utf8.count)
    }

    @Test func aDebeziumMessageOutsideATransactionIsABoundaryAtItsLSN() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        try directory.write("out.jsonl", Self.transaction + Self.standalone + Self.unfinished)
        #expect(try sink(directory).open() == LSN(0x200))
        #expect(try directory.read("out.jsonl") == Self.transaction + Self.standalone)
    }

    @Test func aTransactionalDebeziumMessageIsNoBoundary() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        // Cut just after the transactional message: its transaction has no END yet.
        let lines = Self.transaction.split(separator: "\n").map { $0 + "\n" }
        try directory.write("out.jsonl", lines[0...4].joined())
        #expect(try sink(directory).open() == nil)
        #expect(try directory.read("out.jsonl") == "")
    }

    @Test func theSnapshotsENDRecordKeepsTheSnapshotRows() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let end = SnapshotSummary(consistentPoint: LSN(0x100), tables: 1, rows: 0)
        let snapshot = Self.debezium([.snapshotCompleted(end)], snapshotEnd: true)
        try directory.write("out.jsonl", snapshot + Self.unfinished)
        #expect(try sink(directory).open() == LSN(0x100))
        #expect(try directory.read("out.jsonl") == snapshot)
    }

    @Test func anENDRecordWithoutEndLSNIsRefusedAndTheFileLeftAlone() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let text = #"{"status":"END","id":"7:416","ts_ms":0,"event_count":1,"data_collections":null}"# + "\n"
        try directory.write("out.jsonl", text)
        let error = #expect(throws: SinkError.self) { try sink(directory).open() }
        #expect(error?.description.contains("has no valid \"end_lsn\"") == true, "\(String(describing: error))")
        #expect(try directory.read("out.jsonl") == text)
    }

    @Test func linesAreClassifiedByHowTheyStart() {
        func classify(_ text: String) -> FileSinkRecovery.Line? { FileSinkRecovery.classify(Array(text.utf8.prefix(32))) }
        #expect(classify(#"{"op":"commit","commit_lsn":"0/1"#) == .native("commit"))
        #expect(classify(#"{"before":null,"after":{"id":1}"#) == .debeziumInside)
        #expect(classify(#"{"status":"BEGIN","id":"1:2"}"#) == .debeziumInside)
        #expect(classify(#"{"status":"END","id":"1:2"}"#) == .debeziumEnd)
        #expect(classify(#"{"op":"m","ts_ms":1}"#) == .debeziumMessage)
        #expect(classify("hello") == nil)
    }
}
