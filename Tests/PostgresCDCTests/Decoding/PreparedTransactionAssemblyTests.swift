import Testing
@testable import PostgresCDC
@testable import PostgresCDCEvents
import PGOutput

/// Prepared transactions (`two_phase`) through the decoder with storage in memory: kept at
/// PREPARE, handed out at COMMIT PREPARED with their gid, dropped at ROLLBACK PREPARED, and found
/// again after a restart.
@Suite struct PreparedTransactionAssemblyTests {
    /// Transaction 910 prepared as "tx-1" with `count` inserts (its Relation among them).
    static func prepare(_ feed: inout AssemblerFeed, count: Int) throws {
        try feed.feed(Payload.beginPrepare(xid: 910, gid: "tx-1", lsn: 0x400, end: 0x440), at: 0x100)
        try feed.feed(Payload.relation(), at: 0x101)
        for id in 1...count { try feed.feed(Payload.insert(id, value: String(repeating: "p", count: 200)), at: 0x200 + UInt64(id)) }
        try feed.feed(Payload.prepare(xid: 910, gid: "tx-1", lsn: 0x400, end: 0x440), at: 0x400)
    }

    static func handedOut(count: Int) -> [String] {
        ["begin 910 tx-1"] + (1...count).map { "insert \($0) seq \($0 - 1)" } + ["commit 910 after \(count) at 1360"]
    }

    @Test func aPreparedTransactionIsKeptAndHandedOutAtCommitPreparedAfterLaterCommits() throws {
        let storage = MemoryPreparedTransactionStorage()
        var feed = try AssemblerFeed(spills: MemorySpillStorage(), prepared: storage)
        try Self.prepare(&feed, count: 3)
        #expect(feed.take().isEmpty)
        #expect(storage.saves == 1)
        #expect(feed.assembler.position == LSN(0x440), "a prepare may be confirmed: its changes are kept")
        try feed.feed(Payload.begin(xid: 911, final: 0x480), at: 0x450)
        try feed.feed(Payload.insert(100), at: 0x460)
        try feed.feed(Payload.commit(0x480, end: 0x490), at: 0x480)
        try feed.feed(Payload.commitPrepared(xid: 910, gid: "tx-1", lsn: 0x500, end: 0x550), at: 0x500)
        #expect(feed.take() == ["begin 911", "insert 100 seq 0", "commit 911 after 1 at 1168"] + Self.handedOut(count: 3))
        // Kept until the position after COMMIT PREPARED is confirmed.
        feed.assembler.prepared?.confirmed(through: LSN(0x54F))
        #expect(storage.kept.count == 1)
        feed.assembler.prepared?.confirmed(through: LSN(0x550))
        #expect(storage.kept.isEmpty)
        #expect(storage.deletes == 1)
    }

    @Test func aRolledBackPreparedTransactionHandsOutNothingAndIsDeletedOnceConfirmed() throws {
        let storage = MemoryPreparedTransactionStorage()
        var feed = try AssemblerFeed(spills: MemorySpillStorage(), prepared: storage)
        try Self.prepare(&feed, count: 2)
        try feed.feed(Payload.rollbackPrepared(xid: 910, gid: "tx-1", prepareEnd: 0x440, end: 0x600), at: 0x600)
        #expect(feed.take().isEmpty)
        #expect(feed.assembler.position == LSN(0x600))
        #expect(storage.kept.count == 1)
        feed.assembler.prepared?.confirmed(through: LSN(0x600))
        #expect(storage.kept.isEmpty)
    }

    @Test func aPreparedTransactionIsFoundInStorageAfterARestart() throws {
        let storage = MemoryPreparedTransactionStorage()
        do {
            var before = try AssemblerFeed(spills: MemorySpillStorage(), prepared: storage)
            try Self.prepare(&before, count: 3)
            before.assembler.prepared?.confirmed(through: LSN(0x440))
        }
        // A new run: the server sends only the decision, and the relation only within the changes.
        var after = try AssemblerFeed(spills: MemorySpillStorage(), prepared: storage)
        #expect(after.assembler.prepared?.entries["tx-1"]?.xid == 910)
        try after.feed(Payload.commitPrepared(xid: 910, gid: "tx-1", lsn: 0x500, end: 0x550), at: 0x500)
        #expect(after.take() == Self.handedOut(count: 3))
    }

    @Test func aLargePreparedTransactionSpillsPastTheMemoryBoundIntoItsStorage() throws {
        let storage = MemoryPreparedTransactionStorage()
        var feed = try AssemblerFeed(spills: MemorySpillStorage(), prepared: storage, memoryLimit: 1 << 19)
        try Self.prepare(&feed, count: 50)
        #expect(storage.spills.filesMade == 1)
        #expect(storage.spills.writes > 0)
        try feed.feed(Payload.commitPrepared(xid: 910, gid: "tx-1", lsn: 0x500, end: 0x550), at: 0x500)
        #expect(feed.take() == Self.handedOut(count: 50))
    }
}
