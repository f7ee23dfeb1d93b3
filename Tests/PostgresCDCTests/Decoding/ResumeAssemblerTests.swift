import PGOutput
import Testing
@testable import PostgresCDC
@testable import PostgresCDCEvents

/// Resuming from a checkpoint: what was stored is never handed out again, and the position moves
/// with every boundary.
@Suite struct ResumeAssemblerTests {
    typealias Fixture = ChangeAssemblerTests

    static func message(_ lsn: UInt64, transactional: Bool) -> LogicalMessage {
        .message(LogicalDecodingMessage(xid: nil, isTransactional: transactional, lsn: LSN(lsn), prefix: "p", content: [1][...]))
    }

    @Test func transactionsCommittedBeforeTheResumeLSNAreSkippedWhateverTheServerSends() throws {
        var assembler = ChangeAssembler(catalog: TypeCatalog(), includeTransactionEvents: true)
        assembler.resumeLSN = LSN(0x228)
        _ = try assembler.process(.relation(Fixture.relation), lsn: LSN(1))
        var outputs: [ChangeAssembler.Output] = []
        for (commit, end) in [(0x100, 0x128), (0x228, 0x250)] as [(UInt64, UInt64)] {
            outputs.append(try assembler.process(Fixture.begin(commit), lsn: LSN(commit - 0x10)))
            outputs.append(try assembler.process(Fixture.insert("1"), lsn: LSN(commit - 0x8)))
            outputs.append(try assembler.process(Fixture.commit(commit, end: end), lsn: LSN(end)))
        }
        let events = outputs.compactMap { output -> String? in
            guard case let .event(event) = output else { return nil }
            switch event {
            case let .begin(info): return "begin \(info.commitLSN)"
            case let .insert(row): return "row \(row.transaction.commitLSN)"
            case let .commit(commit): return "commit \(commit.transaction.commitLSN)"
            default: return "other"
            }
        }
        // The transaction committing at 0/100 ended at 0/128, before the resume LSN: skipped.
        // The one committing exactly at 0/228 was not stored yet: handed out.
        #expect(events == ["begin 0/228", "row 0/228", "commit 0/228"])
        #expect(assembler.skippedTransactions == 1)
        #expect(assembler.position == LSN(0x250))
    }

    @Test func aNonTransactionalMessageMovesThePositionAndIsSkippedAtOrBeforeTheResumeLSN() throws {
        var assembler = ChangeAssembler(catalog: TypeCatalog())
        assembler.resumeLSN = LSN(0x300)
        guard case .none = try assembler.process(Self.message(0x300, transactional: false), lsn: LSN(0x2F0)) else {
            Issue.record("a message at the resume LSN was stored already")
            return
        }
        guard case .event = try assembler.process(Self.message(0x340, transactional: false), lsn: LSN(0x330)) else {
            Issue.record("a message after the resume LSN must be handed out")
            return
        }
        #expect(assembler.position == LSN(0x340))
    }

    @Test func commitEventsCanBeAskedForWithoutBeginEvents() throws {
        var assembler = ChangeAssembler(catalog: TypeCatalog())
        assembler.includeCommitEvents = true
        guard case .none = try assembler.process(Fixture.begin(0x100), lsn: LSN(0xF0)) else {
            Issue.record("no begin event was asked for")
            return
        }
        guard case let .event(.commit(commit)) = try assembler.process(Fixture.commit(0x100, end: 0x128), lsn: LSN(0x128)) else {
            Issue.record("expected a commit event")
            return
        }
        #expect(commit.endLSN == LSN(0x128))
        #expect(commit.eventCount == 0)
    }
}
