import Foundation
import PGOutput
import Testing
@testable import PostgresCDC
@testable import PostgresCDCEvents

/// The ledger gives back the backfill state as of a position: what was recorded after it belongs
/// to transactions the sink never stored.
@Suite struct BackfillLedgerTests {
    static func state(lastKey: String?, rows: Int) -> BackfillState {
        var state = BackfillState()
        state.active = [BackfillProgress(request: BackfillRequest(table: "t", id: "a"), lastKey: lastKey.map { [$0] }, rows: rows)]
        return state
    }

    @Test func resumingAtAPositionGivesTheStateRecordedAtOrBeforeItAndForgetsTheRest() throws {
        let path = NSTemporaryDirectory() + "ledger-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: path) }
        let ledger = try BackfillLedger(path: path)
        try ledger.record(Self.state(lastKey: nil, rows: 0), at: LSN(100))
        try ledger.record(Self.state(lastKey: "10", rows: 10), at: LSN(200))
        try ledger.record(Self.state(lastKey: "20", rows: 20), at: LSN(300))
        // A crash while appending leaves a torn line: ignored.
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("{\"lsn\":\"0/190\",\"sta".utf8))
        try handle.close()
        let reopened = try BackfillLedger(path: path)
        #expect(reopened.latest == Self.state(lastKey: "20", rows: 20))
        #expect(try reopened.resume(at: LSN(250)) == Self.state(lastKey: "10", rows: 10))
        // The states after the position are gone from the file too.
        #expect(try BackfillLedger(path: path).latest == Self.state(lastKey: "10", rows: 10))
        #expect(try BackfillLedger(path: path).resume(at: LSN(50)) == BackfillState())
    }

    @Test func messagesRoundTripAndOthersAreNotRead() throws {
        let request = BackfillRequest(table: "orders", whereClause: " id > 5 ", chunkSize: 10, id: "x")
        #expect(request.table == "public.orders" && request.whereClause == " id > 5 ")
        for message in [
            BackfillMessage.start(slot: "s", request), .cancel(slot: "s", id: "x"),
            .watermark(slot: "s", backfill: "x", chunk: "c1", mark: .high, reason: nil),
            .watermark(slot: "s", backfill: "x", chunk: "c2", mark: .abort, reason: "gone"),
        ] {
            #expect(BackfillMessage(prefix: message.prefix, content: Array(message.content.utf8)) == message)
        }
        #expect(BackfillMessage(prefix: "audit", content: Array("{}".utf8)) == nil)
        #expect(BackfillMessage(prefix: BackfillMessage.requestPrefix, content: Array("not json".utf8)) == nil)
        #expect(BackfillRequest(table: "t", whereClause: "  ").whereClause == nil)
    }
}
