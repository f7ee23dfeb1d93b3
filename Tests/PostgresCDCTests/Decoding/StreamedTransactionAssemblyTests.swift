import Testing
@testable import PostgresCDC
@testable import PostgresCDCEvents
import PGOutput

/// Streamed transactions (`streaming`) through the decoder with storage in memory: kept until
/// Stream Commit and handed out then, dropped at Stream Abort, spilled past the memory bound.
@Suite struct StreamedTransactionAssemblyTests {
    /// One streamed transaction 900 of `count` inserts in two blocks, with an ordinary transaction
    /// committing between the blocks; then its Stream Commit.
    static func streamAndCommit(_ feed: inout AssemblerFeed, count: Int) throws -> [String] {
        try feed.feed(Payload.relation(), at: 0x10)
        try feed.feed(Payload.streamStart(xid: 900, first: true), at: 0x20)
        try feed.feed(Payload.relation(xid: 900), at: 0x21)
        let value = String(repeating: "v", count: 300)
        for id in 1...(count / 2) { try feed.feed(Payload.insert(id, value: value, xid: 900), at: 0x100 + UInt64(id)) }
        try feed.feed(Payload.streamStop, at: 0x900)
        try feed.feed(Payload.begin(xid: 901, final: 0x1000), at: 0x950)
        try feed.feed(Payload.insert(10_000), at: 0x960)
        try feed.feed(Payload.commit(0x1000, end: 0x1010), at: 0x1000)
        try feed.feed(Payload.streamStart(xid: 900, first: false), at: 0x1100)
        for id in (count / 2 + 1)...count { try feed.feed(Payload.insert(id, xid: 900), at: 0x1100 + UInt64(id)) }
        try feed.feed(Payload.streamStop, at: 0x1900)
        try feed.feed(Payload.streamCommit(xid: 900, lsn: 0x2000, end: 0x2010), at: 0x2000)
        return feed.take()
    }

    static func expected(count: Int) -> [String] {
        ["begin 901", "insert 10000 seq 0", "commit 901 after 1 at 4112", "begin 900"]
            + (1...count).map { "insert \($0) seq \($0 - 1)" } + ["commit 900 after \(count) at 8208"]
    }

    @Test func aStreamedTransactionIsHandedOutAtItsCommitInOrder() throws {
        let spills = MemorySpillStorage()
        var feed = try AssemblerFeed(spills: spills, prepared: MemoryPreparedTransactionStorage())
        #expect(try Self.streamAndCommit(&feed, count: 40) == Self.expected(count: 40))
        #expect(spills.filesMade == 0, "under the memory bound nothing spills")
        #expect(feed.assembler.inProgress?.count == 0)
        #expect(feed.assembler.position == LSN(0x2010))
    }

    @Test func theMemoryBoundSpillsAndTheReplayIsTheSame() throws {
        let spills = MemorySpillStorage()
        // Spools hold memory in 1 MiB chunks: a bound below one chunk spills at every message.
        var feed = try AssemblerFeed(spills: spills, prepared: MemoryPreparedTransactionStorage(), memoryLimit: 1 << 19)
        #expect(try Self.streamAndCommit(&feed, count: 40) == Self.expected(count: 40))
        #expect(spills.filesMade == 1)
        #expect(spills.writes > 0)
        #expect((feed.assembler.inProgress?.spillCount ?? 0) > 0)
        #expect(feed.assembler.inProgress?.memoryInUse == 0)
    }

    @Test func anAbortedStreamedTransactionHandsOutNothing() throws {
        var feed = try AssemblerFeed(spills: MemorySpillStorage(), prepared: MemoryPreparedTransactionStorage())
        try feed.feed(Payload.streamStart(xid: 900, first: true), at: 0x20)
        try feed.feed(Payload.relation(xid: 900), at: 0x21)
        try feed.feed(Payload.insert(1, xid: 900), at: 0x22)
        try feed.feed(Payload.streamStop, at: 0x30)
        try feed.feed(Payload.streamAbort(xid: 900, subtransaction: 900), at: 0x40)
        #expect(feed.take().isEmpty)
        #expect(feed.assembler.inProgress?.count == 0)
        // A later transaction is not affected.
        try feed.feed(Payload.relation(), at: 0x50)
        try feed.feed(Payload.begin(xid: 901, final: 0x100), at: 0x60)
        try feed.feed(Payload.insert(2), at: 0x70)
        try feed.feed(Payload.commit(0x100, end: 0x110), at: 0x100)
        #expect(feed.take() == ["begin 901", "insert 2 seq 0", "commit 901 after 1 at 272"])
    }

    @Test func anAbortedSubtransactionIsCutWithTheAbortPositionDecodedWhenParallel() throws {
        for parallel in [false, true] {
            var feed = try AssemblerFeed(spills: MemorySpillStorage(), prepared: MemoryPreparedTransactionStorage(), memoryLimit: 1 << 19)
            feed.assembler.abortHasPosition = parallel
            try feed.feed(Payload.relation(), at: 0x10)
            try feed.feed(Payload.streamStart(xid: 900, first: true), at: 0x20)
            try feed.feed(Payload.insert(1, xid: 900), at: 0x21)
            try feed.feed(Payload.insert(2, xid: 905), at: 0x22)
            try feed.feed(Payload.insert(3, xid: 905), at: 0x23)
            try feed.feed(Payload.streamStop, at: 0x30)
            try feed.feed(Payload.streamAbort(xid: 900, subtransaction: 905, at: parallel ? 0x31 : nil), at: 0x31)
            try feed.feed(Payload.streamStart(xid: 900, first: false), at: 0x40)
            try feed.feed(Payload.insert(4, xid: 900), at: 0x41)
            try feed.feed(Payload.streamStop, at: 0x50)
            try feed.feed(Payload.streamCommit(xid: 900, lsn: 0x100, end: 0x110), at: 0x100)
            #expect(feed.take() == ["begin 900", "insert 1 seq 0", "insert 4 seq 1", "commit 900 after 2 at 272"], "parallel: \(parallel)")
        }
    }
}
