import Testing
@testable import PGOutput

/// Every pgoutput v1 message, built by the test encoder and decoded back.
@Suite struct LogicalMessageTests {
    @Test func beginAndCommitRoundTrip() throws {
        guard case let .begin(begin) = try LogicalMessage.decode(Fixtures.begin[...]) else { Issue.record("not Begin"); return }
        #expect(
            begin
                == BeginMessage(
                    finalLSN: LSN(0x1_0000_0100), commitTime: PostgresTimestamp(microsecondsSince2000: 817_000_000_000_000), xid: 750))
        guard case let .commit(commit) = try LogicalMessage.decode(Fixtures.commit[...]) else { Issue.record("not Commit"); return }
        #expect(
            commit
                == CommitMessage(
                    flags: 0, commitLSN: LSN(0x1_0000_0100), endLSN: LSN(0x1_0000_0130),
                    commitTime: PostgresTimestamp(microsecondsSince2000: 817_000_000_000_000)))
    }

    @Test func originRoundTrips() throws {
        guard case let .origin(origin) = try LogicalMessage.decode(Fixtures.origin[...]) else { Issue.record("not Origin"); return }
        #expect(origin == OriginMessage(commitLSN: LSN(0xABCDEF), name: "node_b"))
    }

    @Test func relationDescribesColumnsAndKey() throws {
        guard case let .relation(relation) = try LogicalMessage.decode(Fixtures.relation[...]) else { Issue.record("not Relation"); return }
        #expect(
            relation
                == RelationMessage(
                    xid: nil, oid: 16_385, namespace: "public", name: "users", replicaIdentity: .default,
                    columns: [
                        .init(isKey: true, name: "id", typeOID: 23, typeModifier: -1),
                        .init(isKey: false, name: "name", typeOID: 25, typeModifier: -1),
                        .init(isKey: false, name: "amount", typeOID: 1700, typeModifier: 655_366),
                    ]))
    }

    @Test func typeRoundTrips() throws {
        guard case let .type(type) = try LogicalMessage.decode(Fixtures.type[...]) else { Issue.record("not Type"); return }
        #expect(type == TypeMessage(xid: nil, oid: 16_400, namespace: "public", name: "mood"))
    }

    @Test func insertKeepsEveryColumnKind() throws {
        guard case let .insert(insert) = try LogicalMessage.decode(Fixtures.insert[...]) else { Issue.record("not Insert"); return }
        #expect(insert.relationOID == 16_385)
        #expect(insert.newTuple.columns.map(\.kind) == [.text, .text, .null])
        #expect(insert.newTuple.value(at: 0).map(Array.init) == Array("1".utf8))
        #expect(insert.newTuple.value(at: 1).map(Array.init) == Array("ada".utf8))
        #expect(insert.newTuple.value(at: 2) == nil)
        #expect(insert.newTuple.value(at: 3) == nil)
    }

    @Test func updateCarriesOldKeyOldRowOrNothing() throws {
        guard case let .update(withKey) = try LogicalMessage.decode(Fixtures.updateWithKey[...]) else { Issue.record("not Update"); return }
        guard case let .key(key)? = withKey.oldTuple else { Issue.record("expected an old key"); return }
        #expect(key.value(at: 0).map(Array.init) == Array("1".utf8))
        #expect(withKey.newTuple.columns.map(\.kind) == [.text, .text, .unchangedToast])

        guard case let .update(withOld) = try LogicalMessage.decode(Fixtures.updateWithOld[...]) else { Issue.record("not Update"); return }
        guard case let .full(old)? = withOld.oldTuple else { Issue.record("expected an old row"); return }
        #expect(old.value(at: 2).map(Array.init) == Array("3.5".utf8))
        #expect(withOld.newTuple.columns[2].kind == .binary)
        #expect(withOld.newTuple.value(at: 2).map(Array.init) == [0, 1])

        guard case let .update(newOnly) = try LogicalMessage.decode(Fixtures.updateNewOnly[...]) else { Issue.record("not Update"); return }
        #expect(newOnly.oldTuple == nil)
    }

    @Test func deleteCarriesOldKeyOrOldRow() throws {
        guard case let .delete(byKey) = try LogicalMessage.decode(Fixtures.deleteKey[...]), case .key = byKey.oldTuple else {
            Issue.record("expected Delete with K"); return
        }
        guard case let .delete(byRow) = try LogicalMessage.decode(Fixtures.deleteOld[...]), case let .full(row) = byRow.oldTuple else {
            Issue.record("expected Delete with O"); return
        }
        #expect(row.value(at: 1).map(Array.init) == Array("x".utf8))
    }

    @Test func truncateListsRelationsAndOptions() throws {
        guard case let .truncate(truncate) = try LogicalMessage.decode(Fixtures.truncate[...]) else { Issue.record("not Truncate"); return }
        #expect(truncate == TruncateMessage(xid: nil, options: [.cascade, .restartIdentity], relationOIDs: [16_385, 16_390]))
    }

    @Test func logicalDecodingMessageRoundTrips() throws {
        guard case let .message(message) = try LogicalMessage.decode(Fixtures.message[...]) else { Issue.record("not Message"); return }
        #expect(message.isTransactional)
        #expect(message.lsn == LSN(0x2000))
        #expect(message.prefix == "audit")
        #expect(Array(message.content) == Array("hello".utf8))
    }

    @Test func streamedTransactionMessagesCarryAnXid() throws {
        let bytes = MessageEncoder.build { e in
            e.tag("I"); e.uint32(991); e.uint32(16_385); e.tag("N"); e.tuple([.text("1")])
        }
        guard case let .insert(insert) = try LogicalMessage.decode(bytes[...], streamedTransaction: true) else {
            Issue.record("not Insert"); return
        }
        #expect(insert.xid == 991)
        #expect(insert.relationOID == 16_385)
        // Without the streaming flag the same bytes do not parse as an Insert.
        #expect(throws: PGOutputError.self) { try LogicalMessage.decode(bytes[...]) }
    }

    @Test func decodingASliceReportsOffsetsFromTheSliceStart() throws {
        let framed = [UInt8](repeating: 0xAA, count: 25) + Fixtures.insert.dropLast()
        #expect(throws: PGOutputError.truncated(message: "Insert ('I')", offset: 22, needed: 1, available: 0)) {
            try LogicalMessage.decode(framed[25...])
        }
    }

    /// A recycler's arrays are reused only once nothing else holds them: a tuple still held keeps its
    /// columns whatever is decoded after it, and every message decodes as it does without a recycler.
    @Test func recycledColumnArraysNeverChangeATupleStillHeld() throws {
        /// A message's tuples' columns (kinds and ranges).
        func columns(_ message: LogicalMessage) -> [[TupleData.Column]] {
            switch message {
            case let .insert(insert): return [insert.newTuple.columns]
            case let .update(update): return [update.oldTuple?.tuple.columns, update.newTuple.columns].compactMap { $0 }
            case let .delete(delete): return [delete.oldTuple.tuple.columns]
            default: return []
            }
        }
        var recycler = TupleRecycler()
        let messages = [
            Fixtures.insert, Fixtures.updateWithKey, Fixtures.updateWithOld, Fixtures.deleteKey, Fixtures.deleteOld, Fixtures.insert,
        ]
        var held: [LogicalMessage] = []
        for bytes in messages + messages {
            let message = try LogicalMessage.decode(bytes[...], recycling: &recycler)
            let expected = columns(try LogicalMessage.decode(bytes[...]))
            #expect(!expected.isEmpty && columns(message) == expected)
            held.append(message)
        }
        for (message, bytes) in zip(held, messages + messages) {
            #expect(columns(message) == columns(try LogicalMessage.decode(bytes[...])), "a held tuple changed")
        }
        // Once the tuple is let go of, the next one is decoded into the same storage.
        func columnsAddress(_ message: LogicalMessage) -> UnsafeRawPointer? {
            guard case let .insert(insert) = message else { return nil }
            return insert.newTuple.columns.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) }
        }
        held.removeAll()
        let first = try #require(columnsAddress(try LogicalMessage.decode(Fixtures.insert[...], recycling: &recycler)))
        let second = try #require(columnsAddress(try LogicalMessage.decode(Fixtures.insert[...], recycling: &recycler)))
        #expect(first == second)
    }
}
