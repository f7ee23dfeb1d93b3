// An ETL job that applies every change of a publication to the same tables in another PostgreSQL
// database, exactly once: each source transaction becomes one target transaction that also stores
// the checkpoint (PostgresCheckpointStore). Whatever crashes when, a restart resumes right after
// the last transaction the target committed — none is applied twice, none is skipped.
//
//   swift run ETLToPostgres SOURCE_DSN TARGET_DSN SLOT PUBLICATION [END_LSN]
//
// The target tables must exist with the same columns and primary keys. Besides applying the
// changes, the job appends one row per change to `cdc_log (commit_lsn pg_lsn, seq int, PRIMARY KEY
// (commit_lsn, seq))` in the target, which it creates: an event applied twice would violate that key.
import Foundation
import PostgresCDC

let arguments = CommandLine.arguments
guard arguments.count == 5 || arguments.count == 6 else {
    print("usage: ETLToPostgres SOURCE_DSN TARGET_DSN SLOT PUBLICATION [END_LSN]")
    exit(2)
}
let (sourceDSN, targetDSN, slot, publication) = (arguments[1], arguments[2], arguments[3], arguments[4])

var configuration = StreamConfiguration(dsn: sourceDSN, slot: slot, publication: publication)
configuration.createSlot = true
if arguments.count == 6 {
    guard let end = LSN(arguments[5]) else {
        print("error: END_LSN must look like 0/16B3748")
        exit(2)
    }
    configuration.endLSN = end
}

/// `"name"` as an SQL identifier.
func identifier(_ name: String) -> String {
    "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
}

/// The statements that apply one row change to the target table of the same name.
func statements(for change: RowChange) -> [SQLStatement] {
    let relation = change.relation
    let table = identifier(relation.schema) + "." + identifier(relation.table)
    let keys = relation.columns.indices.filter { relation.columns[$0].isKey }
    switch change.operation {
    case .insert, .update, .read:
        // The new row with every value the change carries: an unchanged TOAST value comes from the
        // old row when it has it; otherwise it is not present, and the target keeps its own.
        guard let new = change.resolved else { return [] }
        let present = relation.columns.indices.filter { new.isPresent($0) }
        let names = present.map { identifier(relation.columns[$0].name) }
        // A key change moves the stored row: an UPDATE of the old key, not a delete and an insert,
        // so that the columns the change does not carry keep their stored values.
        if let old = change.old, keys.contains(where: { old.text(at: $0) != new.text(at: $0) }) {
            let assignments = names.enumerated().map { "\($0.element) = $\($0.offset + 1)" }
            let conditions = keys.enumerated().map {
                "\(identifier(relation.columns[$0.element].name)) = $\(present.count + $0.offset + 1)"
            }
            let sql = "UPDATE \(table) SET \(assignments.joined(separator: ", ")) WHERE \(conditions.joined(separator: " AND "))"
            return [SQLStatement(sql, parameters: present.map { new.text(at: $0) } + keys.map { old.text(at: $0) })]
        }
        let placeholders = present.indices.map { "$\($0 + 1)" }
        let updates = present.filter { !relation.columns[$0].isKey }.map {
            "\(identifier(relation.columns[$0].name)) = EXCLUDED.\(identifier(relation.columns[$0].name))"
        }
        var sql = "INSERT INTO \(table) (\(names.joined(separator: ", "))) VALUES (\(placeholders.joined(separator: ", ")))"
        sql += " ON CONFLICT (\(keys.map { identifier(relation.columns[$0].name) }.joined(separator: ", ")))"
        sql += updates.isEmpty ? " DO NOTHING" : " DO UPDATE SET \(updates.joined(separator: ", "))"
        return [SQLStatement(sql, parameters: present.map { new.text(at: $0) })]
    case .delete:
        guard let old = change.old else { return [] }
        return [delete(from: table, relation: relation, keys: keys, row: old)]
    }
}

func delete(from table: String, relation: Relation, keys: [Int], row: Row) -> SQLStatement {
    let conditions = keys.enumerated().map { "\(identifier(relation.columns[$0.element].name)) = $\($0.offset + 1)" }
    return SQLStatement("DELETE FROM \(table) WHERE \(conditions.joined(separator: " AND "))", parameters: keys.map { row.text(at: $0) })
}

func log(_ commitLSN: LSN, seq: Int) -> SQLStatement {
    SQLStatement("INSERT INTO cdc_log (commit_lsn, seq) VALUES ($1::pg_lsn, $2::int)", parameters: [commitLSN.description, String(seq)])
}

do {
    let store = PostgresCheckpointStore(dsn: targetDSN, slot: slot)
    try store.prepare()
    try store.execute([
        SQLStatement("CREATE TABLE IF NOT EXISTS cdc_log (commit_lsn pg_lsn NOT NULL, seq int NOT NULL, PRIMARY KEY (commit_lsn, seq))")
    ])

    // Resumes after the checkpoint the target holds; acknowledging tells the source's slot.
    let stream = ChangeStream(configuration: configuration, checkpointStore: store)
    var pending: [SQLStatement] = []
    var applied = 0
    for try await event in stream {
        switch event {
        case let .insert(change), let .update(change), let .delete(change), let .read(change):
            pending += statements(for: change)
            pending.append(log(change.transaction.commitLSN, seq: change.seq))
        case let .truncate(change):
            let tables = change.relations.map { identifier($0.schema) + "." + identifier($0.table) }
            pending.append(SQLStatement("TRUNCATE \(tables.joined(separator: ", "))"))
            pending.append(log(change.transaction.commitLSN, seq: change.seq))
        case let .commit(commit):
            // The changes and the position they came from, in one target transaction.
            if !pending.isEmpty {
                try store.commit(stream.checkpoint(through: commit.endLSN), applying: pending)
                applied += 1
                pending.removeAll()
            }
            try await stream.acknowledge(commit)
        case let .snapshotCompleted(summary):
            // The snapshot's rows and its position, in one target transaction.
            if !pending.isEmpty {
                try store.commit(stream.checkpoint(through: summary.consistentPoint), applying: pending)
                pending.removeAll()
            }
            try await stream.acknowledge(through: summary.consistentPoint)
        case .begin, .message, .schema:
            // A schema change must be applied to the target by its owner; the job only moves rows.
            break
        }
    }
    print("applied \(applied) transactions")
} catch {
    print("error: \(error)")
    exit(1)
}
