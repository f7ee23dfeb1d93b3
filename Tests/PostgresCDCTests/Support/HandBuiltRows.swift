import PGOutput
@testable import PostgresCDC
@testable import PostgresCDCEvents

/// Relations, rows and row changes built by hand, for the column walk and the encoders without a server.
enum HandBuiltRows {
    /// One column as a tuple holds it.
    enum Cell {
        case text(String)
        case null
        case unchangedToast
    }

    /// `public.docs (id int4 key, title text, body text, note text)`, columns filtered by `excluded`.
    static func docs(replicaIdentity: RelationMessage.ReplicaIdentity = .default, excluded: [String] = []) -> Relation {
        let message = RelationMessage(
            xid: nil, oid: 42, namespace: "public", name: "docs", replicaIdentity: replicaIdentity,
            columns: [
                .init(isKey: true, name: "id", typeOID: 23, typeModifier: -1),
                .init(isKey: false, name: "title", typeOID: 25, typeModifier: -1),
                .init(isKey: false, name: "body", typeOID: 25, typeModifier: -1),
                .init(isKey: false, name: "note", typeOID: 25, typeModifier: -1),
            ]
        )
        var filter = EventFilter()
        filter.excludeColumns = excluded.map { "public.docs.\($0)" }
        return Relation(message: message, catalog: TypeCatalog(), filter: filter)
    }

    static func tuple(_ cells: [Cell]) -> TupleData {
        var storage: [UInt8] = []
        var columns: [TupleData.Column] = []
        for cell in cells {
            switch cell {
            case let .text(value):
                let start = storage.count
                storage.append(contentsOf: value.utf8)
                columns.append(.init(kind: .text, range: start..<storage.count))
            case .null:
                columns.append(.init(kind: .null, range: storage.count..<storage.count))
            case .unchangedToast:
                columns.append(.init(kind: .unchangedToast, range: storage.count..<storage.count))
            }
        }
        return TupleData(storage: storage[...], columns: columns)
    }

    static func row(_ relation: Relation, _ cells: [Cell], keyOnly: Bool = false) -> Row {
        Row(relation: relation, tuple: tuple(cells), isKeyOnly: keyOnly)
    }

    static func change(_ operation: RowChange.Operation, _ relation: Relation, old: Row? = nil, new: Row? = nil) -> RowChange {
        let transaction = TransactionInfo(
            xid: 7, commitLSN: LSN(0x100), commitTime: PostgresTimestamp(microsecondsSince2000: 0), origin: nil
        )
        return RowChange(operation: operation, transaction: transaction, seq: 0, lsn: LSN(0x80), relation: relation, old: old, new: new)
    }
}
