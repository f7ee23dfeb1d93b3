import PGOutput
import Testing
@testable import PostgresCDC

/// ``BackfillWindows`` and ``ReadSnapshot``, pure: which chunk reads may be older than a change
/// already handed out.
@Suite struct BackfillWindowsTests {
    static func plan(_ chunk: String) -> BackfillReader.Plan {
        BackfillReader.Plan(backfill: "b", chunk: chunk, table: 42, keyColumns: ["id"], startKey: nil, retryKeys: [])
    }

    @Test func aSnapshotsRunningTransactionsAreReadFromItsTextForm() {
        #expect(ReadSnapshot(text: "100:105:100,102") == ReadSnapshot(running: [100, 102]))
        #expect(ReadSnapshot(text: "100:100:") == ReadSnapshot(running: []))
        // A 64-bit id carries the epoch above the 32 bits pgoutput sends.
        #expect(ReadSnapshot(text: "4294967396:4294967400:4294967397") == ReadSnapshot(running: [101]))
        for bad in ["", "1:2", "a:2:", "1:2:3,x", "1:2:3:4"] {
            #expect(ReadSnapshot(text: bad) == nil, "\(bad)")
        }
    }

    @Test func aReadThatDidNotSeeATransactionHandedOutBeforeItsWindowIsTooEarly() {
        var windows = BackfillWindows()
        windows.noteHandedOut(7)
        windows.open(Self.plan("c1"))
        windows.noteHandedOut(8)
        #expect(windows.close("c1", readWhileRunning: ReadSnapshot(running: [3, 7])) == .readTooEarly(xid: 7))

        // One handed out inside the window is the window's business: its keys are dropped instead.
        windows.open(Self.plan("c2"))
        #expect(windows.close("c2", readWhileRunning: ReadSnapshot(running: [9])) == .changed([:]))
        windows.open(Self.plan("c3"))
        windows.noteHandedOut(9)
        #expect(windows.close("c3", readWhileRunning: ReadSnapshot(running: [9])) == .changed([:]))
        windows.open(Self.plan("c4"))
        #expect(windows.close("c4", readWhileRunning: nil) == .changed([:]))
        #expect(windows.close("c4", readWhileRunning: nil) == .notOpened)
        #expect(windows.isEmpty)
    }

    @Test func theLastTransactionsHandedOutAreRemembered() {
        var windows = BackfillWindows()
        for xid in 1...UInt32(BackfillWindows.recentCapacity + 10) { windows.noteHandedOut(xid) }
        windows.open(Self.plan("c"))
        #expect(windows.close("c", readWhileRunning: ReadSnapshot(running: [10])) == .changed([:]))
        windows.open(Self.plan("c"))
        #expect(windows.close("c", readWhileRunning: ReadSnapshot(running: [11, 4000])) == .readTooEarly(xid: 11))
    }
}
