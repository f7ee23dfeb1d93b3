// An ETL job that applies every change of a publication to the same tables in another PostgreSQL
// database, exactly once: each batch of source transactions becomes one postgres-nio transaction
// in the target that also stores the checkpoint. Whatever crashes when, a restart resumes right
// after the last batch the target committed — none is applied twice, none is skipped.
//
//   swift run ETLToPostgres SOURCE_DSN TARGET_DSN SLOT PUBLICATION [END_LSN]
//
// The target tables must exist with the same columns and primary keys. Besides applying the
// changes, the job appends one row per change to `cdc_log (commit_lsn pg_lsn, seq int, PRIMARY KEY
// (commit_lsn, seq))` in the target, which it creates: an event applied twice would violate that key.
import Foundation
import Logging
import PostgresCDC
import PostgresCDCPostgresNIO
import PostgresNIO
import ServiceLifecycle

let arguments = CommandLine.arguments
guard arguments.count == 5 || arguments.count == 6 else {
    print("usage: ETLToPostgres SOURCE_DSN TARGET_DSN SLOT PUBLICATION [END_LSN]")
    exit(2)
}
var configuration = StreamConfiguration(dsn: arguments[1], slot: arguments[3], publication: arguments[4])
configuration.createSlot = true
// A slot that cannot be continued (lost in a failover, invalidated) is re-created and the tables read
// again; the job clears them when it meets the gap (below), so rows deleted meanwhile go too.
configuration.onGap = .resnapshot
if arguments.count == 6 {
    guard let end = LSN(arguments[5]) else {
        print("error: END_LSN must look like 0/16B3748")
        exit(2)
    }
    configuration.endLSN = end
}

/// The SQL that applies changes to the target tables of the same names.
enum TargetSQL {
    /// `"name"` as an SQL identifier.
    static func identifier(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    static func table(_ relation: Relation) -> String {
        identifier(relation.schema) + "." + identifier(relation.table)
    }

    /// A `schema.table` name (as a ``SlotGap`` gives them) as SQL.
    static func table(named name: String) -> String {
        let parts = name.split(separator: ".", maxSplits: 1).map(String.init)
        return parts.map(identifier).joined(separator: ".")
    }

    /// The statement that applies one row change to the target table of the same name.
    static func statement(for change: RowChange) throws -> PostgresQuery? {
        let relation = change.relation
        let keys = relation.upsertKeyColumnNames.compactMap { relation.columnIndex(named: $0) }
        var binds = PostgresBindings()
        func parameter(_ value: PostgresValue) throws -> String {
            try binds.append(value)
            return "$\(binds.count)"
        }
        switch change.operation {
        case .insert, .update, .read:
            // Every value the change carries: an unchanged TOAST value comes from the old row when it
            // has it; otherwise it is left out, and the target keeps its own.
            guard let new = change.resolved else { return nil }
            let present = relation.columns.indices.filter { new.isPresent($0) }
            let names = present.map { identifier(relation.columns[$0].name) }
            let values = try present.map { try parameter(new.value(at: $0)) }
            // A key change moves the stored row: an UPDATE of the old key, not a delete and an insert,
            // so that the columns the change does not carry keep their stored values.
            if let old = change.old, keys.contains(where: { old.value(at: $0) != new.value(at: $0) }) {
                let assignments = zip(names, values).map { "\($0) = \($1)" }
                let conditions = try keys.map { "\(identifier(relation.columns[$0].name)) = \(try parameter(old.value(at: $0)))" }
                let sql =
                    "UPDATE \(table(relation)) SET \(assignments.joined(separator: ", ")) WHERE \(conditions.joined(separator: " AND "))"
                return PostgresQuery(unsafeSQL: sql, binds: binds)
            }
            let updates = present.filter { !keys.contains($0) }.map {
                "\(identifier(relation.columns[$0].name)) = EXCLUDED.\(identifier(relation.columns[$0].name))"
            }
            var sql = "INSERT INTO \(table(relation)) (\(names.joined(separator: ", "))) VALUES (\(values.joined(separator: ", ")))"
            sql += " ON CONFLICT (\(keys.map { identifier(relation.columns[$0].name) }.joined(separator: ", ")))"
            sql += updates.isEmpty ? " DO NOTHING" : " DO UPDATE SET \(updates.joined(separator: ", "))"
            return PostgresQuery(unsafeSQL: sql, binds: binds)
        case .delete:
            guard let old = change.old else { return nil }
            let conditions = try keys.map { "\(identifier(relation.columns[$0].name)) = \(try parameter(old.value(at: $0)))" }
            return PostgresQuery(unsafeSQL: "DELETE FROM \(table(relation)) WHERE \(conditions.joined(separator: " AND "))", binds: binds)
        }
    }
}

/// Sets up the target, then applies the stream batch by batch until it ends (or SIGTERM).
struct ETLJob: Service {
    let configuration: StreamConfiguration
    let target: PostgresClient
    let store: PostgresNIOCheckpointStore
    let logger: Logger

    func run() async throws {
        try await store.prepare()
        try await target.query(
            "CREATE TABLE IF NOT EXISTS cdc_log (commit_lsn pg_lsn NOT NULL, seq int NOT NULL, PRIMARY KEY (commit_lsn, seq))",
            logger: logger)
        // Resumes after the checkpoint the target holds; `run` acknowledges each batch to the source's slot.
        // The handler saves each batch's checkpoint in its target transaction: the stream writes none of its own.
        let stream = ChangeStream(configuration: configuration, checkpointStore: store, checkpointSaving: .byHandler, logger: logger)
        try await ChangeStreamService(stream: stream) { [target, store, logger] batch in
            guard !batch.events.isEmpty else { return }
            // The batch's changes and the position they came from, in one target transaction.
            try await target.withTransaction(logger: logger) { connection in
                // A snapshot starts (again): every row comes again, so the tables it copies are cleared first.
                if batch.startsSnapshot, !batch.snapshotTables.isEmpty {
                    let tables = batch.snapshotTables.map(TargetSQL.table).joined(separator: ", ")
                    try await connection.query(PostgresQuery(unsafeSQL: "TRUNCATE \(tables)"), logger: logger)
                }
                for event in batch.events {
                    switch event {
                    case let .insert(change), let .update(change), let .delete(change), let .read(change):
                        if let query = try TargetSQL.statement(for: change) { try await connection.query(query, logger: logger) }
                        try await log(change.transaction.commitLSN, seq: change.seq, on: connection)
                    case let .truncate(change):
                        try await connection.query(
                            PostgresQuery(unsafeSQL: "TRUNCATE \(change.relations.map(TargetSQL.table).joined(separator: ", "))"),
                            logger: logger)
                        try await log(change.transaction.commitLSN, seq: change.seq, on: connection)
                    case let .gap(gap) where !gap.tables.isEmpty:
                        // Changes were lost and every row is read again: a row deleted in the gap must go too.
                        logger.warning("changes since \(gap.lostFrom) were lost (\(gap.reason)); reloading \(gap.tables)")
                        let tables = gap.tables.map(TargetSQL.table(named:)).joined(separator: ", ")
                        try await connection.query(PostgresQuery(unsafeSQL: "TRUNCATE \(tables)"), logger: logger)
                    default:
                        // begin, commit, messages; a schema change must be applied to the target by its owner.
                        break
                    }
                }
                if let checkpoint = batch.checkpoint { try await store.save(checkpoint, on: connection) }
            }
        }.run()
    }

    func log(_ commitLSN: LSN, seq: Int, on connection: PostgresNIO.PostgresConnection) async throws {
        try await connection.query(
            "INSERT INTO cdc_log (commit_lsn, seq) VALUES (\(commitLSN.description)::pg_lsn, \(seq))", logger: logger)
    }
}

do {
    let logger = Logger(label: "etl")
    let target = PostgresClient(configuration: try PostgresClient.Configuration(connectionString: arguments[2]))
    let store = try PostgresNIOCheckpointStore(client: target, slot: configuration.slot)
    let job = ETLJob(configuration: configuration, target: target, store: store, logger: logger)
    // The client serves the job until the job ends; SIGTERM and SIGINT end both gracefully.
    let group = ServiceGroup(
        configuration: ServiceGroupConfiguration(
            services: [
                .init(service: target),
                .init(
                    service: job, successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup
                ),
            ],
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
    try await group.run()
} catch {
    print("error: \(error)")
    exit(1)
}
