import Testing
@testable import PGOutput

/// The messages of protocol versions 2 to 4: streamed and two-phase transactions.
@Suite struct ProtocolV2to4Tests {
    static let time = PostgresTimestamp(microsecondsSince2000: 817_000_000_000_000)

    @Test func streamMessagesDecode() throws {
        #expect(try LogicalMessage.decode(Fixtures.streamStart[...]).streamStart == StreamStartMessage(xid: 900, isFirstSegment: true))
        guard case .streamStop = try LogicalMessage.decode(Fixtures.streamStop[...]) else {
            Issue.record("not Stream Stop")
            return
        }
        guard case let .streamCommit(commit) = try LogicalMessage.decode(Fixtures.streamCommit[...]) else {
            Issue.record("not Stream Commit")
            return
        }
        #expect(
            commit
                == StreamCommitMessage(
                    xid: 900, flags: 0, commitLSN: LSN(0x3000), endLSN: LSN(0x3030),
                    commitTime: PostgresTimestamp(microsecondsSince2000: 817_000_000_000_001)))
        guard case let .streamAbort(abort) = try LogicalMessage.decode(Fixtures.streamAbort[...]) else {
            Issue.record("not Stream Abort")
            return
        }
        #expect(abort == StreamAbortMessage(xid: 900, subtransactionXid: 901))
    }

    @Test func aV4ParallelAbortCarriesItsPositionAndIsMalformedWithoutTheOption() throws {
        guard case let .streamAbort(abort) = try LogicalMessage.decode(Fixtures.streamAbortV4[...], abortHasPosition: true) else {
            Issue.record("not Stream Abort")
            return
        }
        #expect(abort.abortLSN == LSN(0x3100))
        #expect(abort.abortTime == PostgresTimestamp(microsecondsSince2000: 817_000_000_000_002))
        // Read as v2/v3, the same bytes have 16 bytes too many: an error, not a silent misread.
        #expect(throws: PGOutputError.malformed(message: "Stream Abort ('A')", offset: 9, reason: "16 trailing bytes")) {
            try LogicalMessage.decode(Fixtures.streamAbortV4[...])
        }
        // And a v2 abort read as v4 is truncated.
        #expect(throws: PGOutputError.self) { try LogicalMessage.decode(Fixtures.streamAbort[...], abortHasPosition: true) }
    }

    @Test func twoPhaseMessagesDecode() throws {
        let info = PrepareInfo(
            prepareLSN: LSN(0x4000), endLSN: LSN(0x4040), prepareTime: PostgresTimestamp(microsecondsSince2000: 817_000_000_000_003),
            xid: 910, gid: "tx-1")
        guard case let .beginPrepare(begin) = try LogicalMessage.decode(Fixtures.beginPrepare[...]) else {
            Issue.record("not Begin Prepare")
            return
        }
        #expect(begin == info)
        guard case let .prepare(flags, prepared) = try LogicalMessage.decode(Fixtures.prepare[...]) else {
            Issue.record("not Prepare")
            return
        }
        #expect(flags == 0 && prepared == info)
        guard case let .commitPrepared(commit) = try LogicalMessage.decode(Fixtures.commitPrepared[...]) else {
            Issue.record("not Commit Prepared")
            return
        }
        #expect(
            commit
                == CommitPreparedMessage(
                    flags: 0, commitLSN: LSN(0x5000), endLSN: LSN(0x5050),
                    commitTime: PostgresTimestamp(microsecondsSince2000: 817_000_000_000_004), xid: 910, gid: "tx-1"))
        guard case let .rollbackPrepared(rollback) = try LogicalMessage.decode(Fixtures.rollbackPrepared[...]) else {
            Issue.record("not Rollback Prepared")
            return
        }
        #expect(rollback.preparedEndLSN == LSN(0x4040) && rollback.rollbackEndLSN == LSN(0x6060) && rollback.gid == "tx-1")
        guard case let .streamPrepare(_, streamed) = try LogicalMessage.decode(Fixtures.streamPrepare[...]) else {
            Issue.record("not Stream Prepare")
            return
        }
        #expect(streamed.xid == 920 && streamed.gid == "tx-2")
    }

    @Test func theSameLetterMeansDifferentThingsPerLayer() throws {
        // 'K' as a pgoutput message is Commit Prepared; inside Update/Delete it is the old-key marker.
        #expect(try LogicalMessage.decode(Fixtures.commitPrepared[...]).name == "Commit Prepared ('K')")
        guard case let .delete(delete) = try LogicalMessage.decode(Fixtures.deleteKey[...]), case .key = delete.oldTuple else {
            Issue.record("the K marker inside a Delete is the old key")
            return
        }
        // 'r' as a pgoutput message is Rollback Prepared; in the CopyBoth layer it is not a server message at all.
        #expect(try LogicalMessage.decode(Fixtures.rollbackPrepared[...]).name == "Rollback Prepared ('r')")
        #expect(throws: PGOutputError.unknownMessageType(layer: "CopyBoth", tag: UInt8(ascii: "r"), offset: 0)) {
            try ReplicationMessage.decode([UInt8(ascii: "r"), 0, 0][...])
        }
    }
}

extension LogicalMessage {
    var streamStart: StreamStartMessage? {
        if case let .streamStart(message) = self { return message }
        return nil
    }
}
