import Testing
@testable import PostgresCDC
@testable import PostgresCDCEvents

/// The assembler's rules, from hand-built messages: no server involved.
@Suite struct ChangeAssemblerTests {
    static let relation = RelationMessage(
        xid: nil, oid: 42, namespace: "public", name: "t", replicaIdentity: .default,
        columns: [
            .init(isKey: true, name: "id", typeOID: 23, typeModifier: -1),
            .init(isKey: false, name: "v", typeOID: 25, typeModifier: -1),
        ]
    )

    static func tuple(_ values: [String?]) -> TupleData {
        var storage: [UInt8] = []
        var columns: [TupleData.Column] = []
        for value in values {
            if let value {
                let start = storage.count
                storage.append(contentsOf: value.utf8)
                columns.append(.init(kind: .text, range: start..<storage.count))
            } else {
                columns.append(.init(kind: .null, range: storage.count..<storage.count))
            }
        }
        return TupleData(storage: storage[...], columns: columns)
    }

    static func begin(_ final: UInt64, xid: UInt32 = 7) -> LogicalMessage {
        .begin(BeginMessage(finalLSN: LSN(final), commitTime: PostgresTimestamp(microsecondsSince2000: 0), xid: xid))
    }

    static func commit(_ lsn: UInt64, end: UInt64) -> LogicalMessage {
        .commit(CommitMessage(flags: 0, commitLSN: LSN(lsn), endLSN: LSN(end), commitTime: PostgresTimestamp(microsecondsSince2000: 0)))
    }

    static func insert(_ id: String) -> LogicalMessage {
        .insert(InsertMessage(xid: nil, relationOID: 42, newTuple: tuple([id, "x"])))
    }

    @Test func rowChangeOutsideATransactionIsAProtocolViolation() throws {
        var assembler = ChangeAssembler(catalog: TypeCatalog())
        _ = try assembler.process(.relation(Self.relation), lsn: LSN(1))
        #expect(throws: ReplicationError.self) { try assembler.process(Self.insert("1"), lsn: LSN(2)) }
    }

    @Test func changeForAnUndescribedRelationNamesTheOID() throws {
        var assembler = ChangeAssembler(catalog: TypeCatalog())
        _ = try assembler.process(Self.begin(100), lsn: LSN(1))
        do {
            _ = try assembler.process(Self.insert("1"), lsn: LSN(2))
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("relation OID 42"))
            #expect("\(error)".contains("0/2"))
        }
    }

    @Test func tupleWithTheWrongNumberOfColumnsIsRejected() throws {
        var assembler = ChangeAssembler(catalog: TypeCatalog())
        _ = try assembler.process(.relation(Self.relation), lsn: LSN(1))
        _ = try assembler.process(Self.begin(100), lsn: LSN(1))
        let short = LogicalMessage.insert(InsertMessage(xid: nil, relationOID: 42, newTuple: Self.tuple(["1"])))
        #expect(throws: ReplicationError.self) { try assembler.process(short, lsn: LSN(2)) }
    }

    @Test func eventsAreNumberedWithinTheirTransaction() throws {
        var assembler = ChangeAssembler(catalog: TypeCatalog())
        _ = try assembler.process(.relation(Self.relation), lsn: LSN(1))
        var seqs: [Int] = []
        for round in 0..<2 {
            _ = try assembler.process(Self.begin(UInt64(100 + round * 100)), lsn: LSN(1))
            for id in ["1", "2", "3"] {
                if case let .event(.insert(change)) = try assembler.process(Self.insert(id), lsn: LSN(50)) { seqs.append(change.seq) }
            }
            _ = try assembler.process(Self.commit(UInt64(100 + round * 100), end: UInt64(110 + round * 100)), lsn: LSN(110))
        }
        #expect(seqs == [0, 1, 2, 0, 1, 2])
        #expect(assembler.lastCommitEnd == LSN(210))
    }

    @Test func commitWhoseLSNDiffersFromItsBeginIsRejected() throws {
        var assembler = ChangeAssembler(catalog: TypeCatalog())
        _ = try assembler.process(Self.begin(100), lsn: LSN(1))
        #expect(throws: ReplicationError.self) { try assembler.process(Self.commit(99, end: 120), lsn: LSN(120)) }
    }

    @Test func endLSNStopsBeforeATransactionCommittedAfterIt() throws {
        var assembler = ChangeAssembler(catalog: TypeCatalog(), endLSN: LSN(150))
        _ = try assembler.process(.relation(Self.relation), lsn: LSN(1))
        _ = try assembler.process(Self.begin(100), lsn: LSN(1))
        _ = try assembler.process(Self.insert("1"), lsn: LSN(50))
        _ = try assembler.process(Self.commit(100, end: 120), lsn: LSN(120))
        #expect(!assembler.hasReachedEnd)
        guard case .endReached = try assembler.process(Self.begin(200), lsn: LSN(130)) else {
            Issue.record("a Begin committing after the end LSN must end the stream")
            return
        }
    }

    @Test func endLSNIsReachedByTheCommitThatEndsAtOrAfterIt() throws {
        var assembler = ChangeAssembler(catalog: TypeCatalog(), endLSN: LSN(120))
        _ = try assembler.process(.relation(Self.relation), lsn: LSN(1))
        _ = try assembler.process(Self.begin(100), lsn: LSN(1))
        _ = try assembler.process(Self.insert("1"), lsn: LSN(50))
        #expect(!assembler.hasReachedEnd)
        #expect(!assembler.keepaliveReachesEnd(LSN(500)), "a keepalive inside a transaction must not end it")
        _ = try assembler.process(Self.commit(100, end: 120), lsn: LSN(120))
        #expect(assembler.hasReachedEnd)
        #expect(assembler.keepaliveReachesEnd(LSN(120)))
        #expect(!ChangeAssembler(catalog: TypeCatalog(), endLSN: LSN(120)).keepaliveReachesEnd(LSN(119)))
    }
}
