import PGOutput
import Testing
@testable import PostgresCDC
@testable import PostgresCDCEvents

/// The batching rules without a server: whole transactions, size and delay, snapshots, restarts.
@Suite struct ChangeBatcherTests {
    static let relation = HandBuiltRows.docs()

    static func transaction(_ commit: UInt64) -> TransactionInfo {
        TransactionInfo(xid: UInt32(commit), commitLSN: LSN(commit), commitTime: PostgresTimestamp(microsecondsSince2000: 0), origin: nil)
    }

    static func insert(_ commit: UInt64, seq: Int) -> ChangeEvent {
        .insert(
            RowChange(
                operation: .insert, transaction: transaction(commit), seq: seq, lsn: LSN(commit - 1), relation: relation, old: nil,
                new: HandBuiltRows.row(relation, [.text("\(seq)"), .null, .null, .null])))
    }

    static func commit(_ commit: UInt64, events: Int = 1) -> ChangeEvent {
        .commit(CommitEvent(transaction: transaction(commit), endLSN: LSN(commit + 8), eventCount: events))
    }

    static func read(_ seq: Int) -> ChangeEvent {
        .read(
            RowChange(
                operation: .read, transaction: transaction(0x50), seq: seq, lsn: LSN(0x50), relation: relation, old: nil,
                new: HandBuiltRows.row(relation, [.text("\(seq)"), .null, .null, .null])))
    }

    static let completed = ChangeEvent.snapshotCompleted(SnapshotSummary(consistentPoint: LSN(0x50), tables: 1, rows: 3))

    static func checkpoint(_ lsn: LSN) -> Checkpoint? {
        Checkpoint(lsn: lsn, slot: "s", systemIdentifier: "1", timeline: 1)
    }

    /// `batcher.add` (a mutating call cannot be inside `#expect`).
    func step(_ batcher: inout ChangeBatcher, _ event: ChangeEvent, now: UInt64) -> Bool {
        batcher.add(event, now: now)
    }

    func cut(_ batcher: inout ChangeBatcher, now: UInt64, caughtUp: Bool, checkpoint: (LSN) -> Checkpoint?) -> ChangeBatch {
        batcher.cut(now: now, caughtUp: caughtUp, checkpoint: checkpoint)
    }

    @Test func aBatchIsDueAtTheFirstBoundaryPastItsSizeNeverInsideATransaction() {
        var batcher = ChangeBatcher(maxEvents: 3, maxDelay: 1_000)
        #expect(!step(&batcher, Self.insert(0x100, seq: 0), now: 0))
        #expect(!step(&batcher, Self.insert(0x100, seq: 1), now: 0))
        #expect(!step(&batcher, Self.insert(0x100, seq: 2), now: 0))  // full, but inside the transaction
        #expect(!step(&batcher, Self.insert(0x100, seq: 3), now: 0))
        #expect(step(&batcher, Self.commit(0x100, events: 4), now: 0))
        let batch = batcher.cut(now: 0, caughtUp: false, checkpoint: Self.checkpoint)
        #expect(batch.events.count == 5)
        #expect(batch.acknowledgeThrough == LSN(0x108))
        #expect(batch.checkpoint?.lsn == LSN(0x108))
        #expect(!batch.startsSnapshot && !batch.isCaughtUp)
        #expect(batcher.isEmpty && batcher.deadline == nil)
    }

    @Test func aBatchIsDueAtItsDelayOnceAtABoundary() {
        var batcher = ChangeBatcher(maxEvents: 100, maxDelay: 1_000)
        #expect(!step(&batcher, Self.insert(0x100, seq: 0), now: 10))
        #expect(batcher.deadline == 1_010)
        #expect(!step(&batcher, Self.commit(0x100), now: 500))
        #expect(!step(&batcher, Self.insert(0x200, seq: 0), now: 900))
        #expect(!step(&batcher, Self.insert(0x200, seq: 1), now: 2_000))  // late, but inside a transaction
        #expect(step(&batcher, Self.commit(0x200, events: 2), now: 2_100))
        #expect(cut(&batcher, now: 2_100, caughtUp: false, checkpoint: Self.checkpoint).acknowledgeThrough == LSN(0x208))
    }

    @Test func aCaughtUpBatchLingersUntilItsLingerAfterItsFirstEvent() {
        var batcher = ChangeBatcher(maxEvents: 100, maxDelay: 1_000, linger: 300)
        #expect(!batcher.lingers(now: 0))  // empty: nothing to wait with
        #expect(!step(&batcher, Self.insert(0x100, seq: 0), now: 10))
        #expect(!batcher.lingers(now: 20))  // inside a transaction: it waits for the commit anyway
        #expect(!step(&batcher, Self.commit(0x100), now: 20))
        #expect(batcher.lingerDeadline == 310)
        #expect(batcher.lingers(now: 20))
        #expect(batcher.lingers(now: 309))
        #expect(!batcher.lingers(now: 310))
        // A linger past the delay is the delay.
        let capped = ChangeBatcher(maxEvents: 100, maxDelay: 1_000, linger: 5_000)
        #expect(capped.linger == 1_000)
    }

    @Test func cuttingInsideATransactionKeepsItForTheNextBatch() {
        var batcher = ChangeBatcher(maxEvents: 100, maxDelay: 1_000)
        _ = batcher.add(Self.insert(0x100, seq: 0), now: 0)
        _ = batcher.add(Self.commit(0x100), now: 0)
        _ = batcher.add(Self.insert(0x200, seq: 0), now: 0)
        #expect(!batcher.isAtBoundary)
        let first = batcher.cut(now: 5, caughtUp: true, checkpoint: Self.checkpoint)
        #expect(first.events.count == 2 && first.acknowledgeThrough == LSN(0x108))
        #expect(!first.isCaughtUp)  // a transaction was still open
        #expect(batcher.events.count == 1 && batcher.deadline == 1_005)
        _ = batcher.add(Self.commit(0x200), now: 6)
        let second = batcher.cut(now: 6, caughtUp: true, checkpoint: Self.checkpoint)
        #expect(second.events.count == 2 && second.acknowledgeThrough == LSN(0x208) && second.isCaughtUp)
    }

    @Test func aSnapshotStartsItsOwnBatchComesInPartsAndIsAcknowledgedWhenComplete() {
        var batcher = ChangeBatcher(maxEvents: 2, maxDelay: 1_000)
        _ = batcher.add(Self.insert(0x10, seq: 0), now: 0)
        _ = batcher.add(Self.commit(0x10), now: 0)
        #expect(batcher.mustCut(before: Self.read(0)))
        let before = batcher.cut(now: 0, caughtUp: false, checkpoint: Self.checkpoint)
        #expect(!before.startsSnapshot && before.events.count == 2)
        #expect(!step(&batcher, Self.read(0), now: 0))
        #expect(step(&batcher, Self.read(1), now: 0))  // rows may be cut anywhere
        let part = batcher.cut(now: 0, caughtUp: false, checkpoint: Self.checkpoint)
        #expect(part.startsSnapshot && part.events.count == 2)
        #expect(part.acknowledgeThrough == nil && part.checkpoint == nil)
        #expect(!batcher.mustCut(before: Self.read(2)))
        #expect(!step(&batcher, Self.read(2), now: 0))
        #expect(step(&batcher, Self.completed, now: 0))  // the completion is due at once
        let last = batcher.cut(now: 0, caughtUp: false, checkpoint: Self.checkpoint)
        #expect(!last.startsSnapshot && last.acknowledgeThrough == LSN(0x50))
    }

    /// A snapshot that starts over (a crash or lost connection during it) is flagged again.
    @Test func aSnapshotTakenAgainIsFlaggedAgain() {
        var batcher = ChangeBatcher(maxEvents: 10, maxDelay: 1_000)
        _ = batcher.add(Self.read(0), now: 0)
        _ = batcher.add(Self.read(1), now: 0)
        #expect(batcher.mustCut(before: Self.read(0)))
        #expect(cut(&batcher, now: 0, caughtUp: false, checkpoint: Self.checkpoint).startsSnapshot)
        _ = batcher.add(Self.read(0), now: 0)
        #expect(cut(&batcher, now: 0, caughtUp: false, checkpoint: Self.checkpoint).startsSnapshot)
    }

    /// After a reconnect, a transaction the stream was in the middle of comes again from its first
    /// change: the partial copy is dropped, so no change is in a batch twice.
    @Test func aTransactionThatStartsOverIsNotDuplicated() {
        var batcher = ChangeBatcher(maxEvents: 100, maxDelay: 1_000)
        _ = batcher.add(Self.insert(0x100, seq: 0), now: 0)
        _ = batcher.add(Self.commit(0x100), now: 0)
        _ = batcher.add(Self.insert(0x200, seq: 0), now: 0)
        _ = batcher.add(Self.insert(0x200, seq: 1), now: 0)
        _ = batcher.add(Self.insert(0x200, seq: 0), now: 0)  // again from the start
        _ = batcher.add(Self.insert(0x200, seq: 1), now: 0)
        _ = batcher.add(Self.commit(0x200, events: 2), now: 0)
        let batch = batcher.cut(now: 0, caughtUp: false, checkpoint: Self.checkpoint)
        #expect(batch.rowChanges.map(\.seq) == [0, 0, 1])
        #expect(batch.rowChanges.map(\.transaction.commitLSN) == [LSN(0x100), LSN(0x200), LSN(0x200)])
    }

    /// A snapshot that finds no rows starts with its completion, which is flagged as the start.
    @Test func aSnapshotWithoutRowsIsFlaggedAtItsCompletion() {
        var batcher = ChangeBatcher(maxEvents: 10, maxDelay: 1_000)
        _ = batcher.add(Self.insert(0x10, seq: 0), now: 0)
        _ = batcher.add(Self.commit(0x10), now: 0)
        let empty = ChangeEvent.snapshotCompleted(SnapshotSummary(consistentPoint: LSN(0x50), tables: 2, rows: 0))
        #expect(batcher.mustCut(before: empty))
        #expect(!cut(&batcher, now: 0, caughtUp: false, checkpoint: Self.checkpoint).startsSnapshot)
        #expect(step(&batcher, empty, now: 0))
        let batch = cut(&batcher, now: 0, caughtUp: false, checkpoint: Self.checkpoint)
        #expect(batch.startsSnapshot && batch.acknowledgeThrough == LSN(0x50))
    }

    @Test func aNonTransactionalMessageIsABoundary() {
        var batcher = ChangeBatcher(maxEvents: 1, maxDelay: 1_000)
        let message = ChangeEvent.message(LogicalDecodingMessageEvent(transaction: nil, seq: 0, lsn: LSN(0x300), prefix: "p", content: []))
        #expect(step(&batcher, message, now: 0))
        #expect(cut(&batcher, now: 0, caughtUp: false, checkpoint: Self.checkpoint).acknowledgeThrough == LSN(0x300))
    }
}
