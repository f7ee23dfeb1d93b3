import Foundation
import PGOutput
import Testing
@testable import PostgresCDC
@testable import PostgresCDCEvents

/// The descriptor of every line matches the line's bytes, in both formats (no server).
@Suite struct LineEncoderTests {
    static func relation(_ table: String) -> Relation {
        let columns = [RelationMessage.Column(isKey: true, name: "id", typeOID: 23, typeModifier: -1)]
        let message = RelationMessage(xid: nil, oid: 1, namespace: "public", name: table, replicaIdentity: .default, columns: columns)
        return Relation(message: message, catalog: TypeCatalog())
    }

    static let orders = relation("orders")
    static let items = relation("items")
    static let transaction = TransactionInfo(
        xid: 7, commitLSN: LSN(0x1A0),
        commitTime: PostgresTimestamp(unixMicroseconds: 1_795_000_000_000_000), origin: nil)

    static func insert(_ id: Int, seq: Int) -> ChangeEvent {
        let text = Array(String(id).utf8)
        let tuple = TupleData(storage: text[...], columns: [TupleData.Column(kind: .text, range: 0..<text.count)])
        return .insert(
            RowChange(
                operation: .insert, transaction: transaction, seq: seq, lsn: LSN(0x150), relation: orders, old: nil,
                new: Row(relation: orders, tuple: tuple, isKeyOnly: false)))
    }

    /// begin, an insert, a truncate of two tables, a transactional message, commit; then a message outside any transaction.
    static let events: [ChangeEvent] = [
        .begin(transaction),
        insert(1, seq: 0),
        .truncate(
            TruncateChange(
                transaction: transaction, seq: 1, lsn: LSN(0x160), relations: [orders, items], cascade: false,
                restartIdentity: false)),
        .message(LogicalDecodingMessageEvent(transaction: transaction, seq: 2, lsn: LSN(0x170), prefix: "audit", content: Array("x".utf8))),
        .commit(CommitEvent(transaction: transaction, endLSN: LSN(0x1C8), eventCount: 3)),
        .message(LogicalDecodingMessageEvent(transaction: nil, seq: 0, lsn: LSN(0x200), prefix: "hb", content: [])),
    ]

    static func encode(_ events: [ChangeEvent], _ encoder: LineEncoder) -> SinkBatch {
        var encoder = encoder
        var buffer = JSONBuffer()
        var lines: [LineDescriptor] = []
        for event in events { encoder.encode(event, into: &buffer, describing: &lines) }
        return SinkBatch(lines: buffer.bytes[...], descriptors: lines[...], position: .zero, endsAtTransactionBoundary: true)
    }

    /// Each line as JSON beside its descriptor.
    static func lines(_ batch: SinkBatch) -> [(object: [String: Any], descriptor: LineDescriptor)] {
        var result: [([String: Any], LineDescriptor)] = []
        batch.forEachLine { line, descriptor in
            let object = (try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any]) ?? [:]
            result.append((object, descriptor))
        }
        return result
    }

    static func tables(_ target: LineDescriptor.Target) -> [String] {
        switch target {
        case .none: return []
        case let .table(relation): return [relation.table]
        case let .tables(relations): return relations.map(\.table)
        case let .messagePrefix(prefix): return ["prefix:" + prefix]
        }
    }

    @Test func nativeLinesAreDescribedOneEachWithTheirIDsAndTables() throws {
        let batch = Self.encode(Self.events, LineEncoder(format: .native, timeline: 1, database: "app"))
        #expect(batch.isDescribed)
        #expect(batch.descriptors.count == batch.lines.filter { $0 == UInt8(ascii: "\n") }.count)
        let lines = Self.lines(batch)
        #expect(lines.map(\.descriptor.kind) == [.begin, .insert, .truncate, .message, .commit, .message])
        let tables = lines.map { Self.tables($0.descriptor.target) }
        #expect(tables == [[], ["orders"], ["orders", "items"], ["prefix:audit"], [], ["prefix:hb"]])
        for (object, descriptor) in lines {
            #expect(object["commit_lsn"] as? String == descriptor.commitLSN.description, "\(object)")
            if let seq = object["seq"] as? Int { #expect(seq == descriptor.seq) }
            #expect(descriptor.part == 0)
        }
        // The truncate's tables are the stream's own Relation references, not copies.
        if case let .tables(relations) = lines[2].descriptor.target {
            #expect(relations[0] === Self.orders && relations[1] === Self.items)
        } else {
            Issue.record("a truncate of two tables in one line names both")
        }
        // Only the lines that complete a transaction or stand alone carry a position.
        #expect(lines.map(\.descriptor.position) == [nil, nil, nil, nil, LSN(0x1C8), LSN(0x200)])
        #expect(lines[4].object["end_lsn"] as? String == "0/1C8")
    }

    @Test func debeziumTruncateIsOneLinePerTableWithItsPart() throws {
        var encoder = LineEncoder(format: .debezium, timeline: 1, database: "app")
        encoder.writesTransactionEnds = true
        let batch = Self.encode(Self.events, encoder)
        #expect(batch.isDescribed)
        let lines = Self.lines(batch)
        #expect(lines.map(\.descriptor.kind) == [.begin, .insert, .truncate, .truncate, .message, .commit, .message])
        let tables = lines.map { Self.tables($0.descriptor.target) }
        #expect(tables == [[], ["orders"], ["orders"], ["items"], ["prefix:audit"], [], ["prefix:hb"]])
        #expect(lines.map(\.descriptor.part) == [0, 0, 0, 1, 0, 0, 0])
        #expect(lines.map(\.descriptor.seq) == [0, 0, 1, 1, 2, 0, 0])
        #expect(lines.map(\.descriptor.commitLSN) == [LSN(0x1A0), LSN(0x1A0), LSN(0x1A0), LSN(0x1A0), LSN(0x1A0), LSN(0x1A0), LSN(0x200)])
        for (object, descriptor) in lines[2...3] {
            #expect((object["source"] as? [String: Any])?["table"] as? String == Self.tables(descriptor.target).first)
            #expect(object["op"] as? String == "t")
        }
        #expect(lines.map(\.descriptor.position) == [nil, nil, nil, nil, nil, LSN(0x1C8), LSN(0x200)])
        // The END record carries the end LSN the file sink resumes from.
        #expect(lines[5].object["status"] as? String == "END")
        #expect(lines[5].object["end_lsn"] as? Int == 0x1C8)
        #expect(lines[5].object["id"] as? String == "7:\(0x1A0)")
        // Its events per table, as Debezium lists them: the insert and the truncate on orders, the truncate on items.
        let collections = lines[5].object["data_collections"] as? [[String: Any]] ?? []
        #expect(collections.map { $0["data_collection"] as? String } == ["public.orders", "public.items"])
        #expect(collections.map { $0["event_count"] as? Int } == [2, 1])
    }

    @Test func theSnapshotEndIsAnENDRecordOnlyForASinkThatNeedsBoundaries() throws {
        let end = ChangeEvent.snapshotCompleted(SnapshotSummary(consistentPoint: LSN(0x100), tables: 1, rows: 5))
        var encoder = LineEncoder(format: .debezium, timeline: 1, database: "app")
        #expect(Self.encode([end], encoder).lines.isEmpty)
        encoder.marksSnapshotEnd = true
        let lines = Self.lines(Self.encode([end], encoder))
        #expect(lines.count == 1)
        #expect(lines.first?.object["id"] as? String == "snapshot:256")
        #expect(lines.first?.object["end_lsn"] as? Int == 256)
        #expect(lines.first?.object["event_count"] as? Int == 5)
        #expect(lines.first?.descriptor.kind == .snapshot)
        #expect(lines.first?.descriptor.position == LSN(0x100))

        let native = Self.lines(Self.encode([end], LineEncoder(format: .native, timeline: nil, database: "app")))
        #expect(native.map(\.descriptor.kind) == [.snapshot])
        #expect(native.first?.descriptor.position == LSN(0x100))
    }

    @Test func aBatchWithoutDescriptorsSaysSo() {
        let lines = Array("{\"op\":\"insert\"}\n".utf8)[...]
        #expect(!SinkBatch(lines: lines, position: .zero, endsAtTransactionBoundary: true).isDescribed)
        #expect(SinkBatch(lines: [], position: .zero, endsAtTransactionBoundary: true).isDescribed)
    }
}
