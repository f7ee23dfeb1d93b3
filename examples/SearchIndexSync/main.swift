// A second job for the library: keep a SQLite full-text index (GRDB) of a PostgreSQL table in sync,
// exactly once. The snapshot copies the table, then every batch of whole transactions becomes one
// SQLite transaction that also stores the checkpoint (CheckpointSaving.byHandler: the stream itself
// writes nothing). A partial row (an unchanged TOAST value) or a key change updates the stored row
// under its old key with the columns the change carries. Deleting the SQLite file rebuilds the
// index from a fresh copy (onEmptyStore = .resnapshot). SIGTERM finishes the batch in hand.
//
//   swift run SearchIndexSync SOURCE_DSN INDEX.sqlite SLOT PUBLICATION [END_LSN]
//
// The source table: products (id bigint PRIMARY KEY, name text, description text, price numeric).
import Foundation
import GRDB
import Logging
import PostgresCDC
import ServiceLifecycle

/// Keeps the checkpoint in the index's own database, one row per slot, as the checkpoint's text
/// form (`Checkpoint` is `LosslessStringConvertible`). The stream calls `load()` when it connects,
/// on a thread of its own; the handler calls `save(_:slot:in:)` inside its own transaction.
struct SQLiteCheckpointStore: CheckpointStore {
    let database: DatabasePool
    let slot: String

    static let createTable = "CREATE TABLE IF NOT EXISTS pgcdc_checkpoint (slot TEXT PRIMARY KEY, checkpoint TEXT NOT NULL)"

    func load() throws -> Checkpoint? {
        let text = try database.read { db in
            try String.fetchOne(db, sql: "SELECT checkpoint FROM pgcdc_checkpoint WHERE slot = ?", arguments: [slot])
        }
        return text.flatMap(Checkpoint.init)
    }

    /// Only the handler writes the checkpoint (CheckpointSaving.byHandler); this is for a job
    /// that lets the stream save it.
    func save(_ checkpoint: Checkpoint) throws {
        try database.write { db in try Self.save(checkpoint, in: db) }
    }

    /// Stores `checkpoint` in the caller's transaction, never moving it back.
    static func save(_ checkpoint: Checkpoint, in db: Database) throws {
        if let text = try String.fetchOne(
            db, sql: "SELECT checkpoint FROM pgcdc_checkpoint WHERE slot = ?", arguments: [checkpoint.slot]),
            let stored = Checkpoint(text), stored.lsn >= checkpoint.lsn
        {
            return
        }
        try db.execute(
            sql: "INSERT INTO pgcdc_checkpoint (slot, checkpoint) VALUES (?, ?) "
                + "ON CONFLICT (slot) DO UPDATE SET checkpoint = excluded.checkpoint",
            arguments: [checkpoint.slot, checkpoint.description])
    }
}

/// One product as the index stores it; numeric `price` as PostgreSQL's text (`12.30`, not the
/// `12.3` a `Decimal` would give back).
struct Product: Decodable {
    var id: Int64
    var name: String
    var description: String?
    var price: String?
}

enum SearchIndex {
    /// The index's tables: the products, and an FTS5 index over them that SQLite keeps in step.
    static let schema = [
        SQLiteCheckpointStore.createTable,
        "CREATE TABLE IF NOT EXISTS products (id INTEGER PRIMARY KEY, name TEXT NOT NULL, description TEXT, price TEXT)",
        "CREATE VIRTUAL TABLE IF NOT EXISTS products_fts USING fts5(name, description, content='products', content_rowid='id')",
        """
        CREATE TRIGGER IF NOT EXISTS products_ai AFTER INSERT ON products BEGIN
          INSERT INTO products_fts (rowid, name, description) VALUES (new.id, new.name, new.description); END
        """,
        """
        CREATE TRIGGER IF NOT EXISTS products_ad AFTER DELETE ON products BEGIN
          INSERT INTO products_fts (products_fts, rowid, name, description) VALUES ('delete', old.id, old.name, old.description); END
        """,
        """
        CREATE TRIGGER IF NOT EXISTS products_au AFTER UPDATE ON products BEGIN
          INSERT INTO products_fts (products_fts, rowid, name, description) VALUES ('delete', old.id, old.name, old.description);
          INSERT INTO products_fts (rowid, name, description) VALUES (new.id, new.name, new.description); END
        """,
    ]

    /// The id of the row a change replaces or deletes: its old key.
    static func storedID(_ change: RowChange) throws -> Int64 {
        guard let key = change.oldKey.first else { throw SearchIndexError.noKey(table: change.relation.table) }
        return try key.value.as(Int64.self)
    }

    /// Applies one change of `products` in the caller's transaction.
    static func apply(_ change: RowChange, in db: Database) throws {
        switch change.operation {
        case .delete:
            try db.execute(sql: "DELETE FROM products WHERE id = ?", arguments: [try storedID(change)])
        case .insert, .update, .read:
            guard let row = change.resolved else { return }
            if row.isComplete && !change.keyChanged {
                let product = try row.decode(Product.self)
                try db.execute(
                    sql: "INSERT INTO products (id, name, description, price) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
                        + "name = excluded.name, description = excluded.description, price = excluded.price",
                    arguments: [product.id, product.name, product.description, product.price])
            } else {
                // A partial row or a new key: set what the change carries on the row under its old
                // key, so that the values it does not carry (unchanged TOAST) keep their stored ones.
                let columns = change.presentColumns
                let assignments = columns.map { "\($0.name) = ?" }.joined(separator: ", ")
                let values: [(any DatabaseValueConvertible)?] = try columns.map { try $0.value.parameterText } + [try storedID(change)]
                try db.execute(sql: "UPDATE products SET \(assignments) WHERE id = ?", arguments: StatementArguments(values))
            }
        }
    }
}

enum SearchIndexError: Error, CustomStringConvertible {
    case noKey(table: String)

    var description: String {
        switch self {
        case let .noKey(table): return "table \(table) has no primary key: the index cannot find the row a change replaces"
        }
    }
}

@main
struct SearchIndexSync {
    static func main() async {
        do {
            try await run()
        } catch {
            FileHandle.standardError.write(Data("SearchIndexSync: \(error)\n".utf8))
            exit(1)
        }
    }

    static func run() async throws {
        let arguments = CommandLine.arguments
        guard arguments.count >= 5 else {
            FileHandle.standardError.write(Data("usage: SearchIndexSync SOURCE_DSN INDEX.sqlite SLOT PUBLICATION [END_LSN]\n".utf8))
            exit(2)
        }
        // WAL mode (a pool): searches read while the stream writes; a busy database is waited for.
        var sqlite = GRDB.Configuration()
        sqlite.busyMode = .timeout(10)
        let database = try DatabasePool(path: arguments[2], configuration: sqlite)
        try await database.write { db in
            for statement in SearchIndex.schema { try db.execute(sql: statement) }
        }
        var configuration = StreamConfiguration(dsn: arguments[1], slot: arguments[3], publication: arguments[4])
        configuration.createSlot = true
        configuration.endLSN = arguments.count > 5 ? LSN(arguments[5]) : nil
        // An emptied index (its file deleted) is rebuilt from a fresh copy of the table.
        configuration.onEmptyStore = .resnapshot
        let logger = Logger(label: "search-index-sync")
        let store = SQLiteCheckpointStore(database: database, slot: configuration.slot)
        let stream = ChangeStream(configuration: configuration, checkpointStore: store, checkpointSaving: .byHandler, logger: logger)
        let service = ChangeStreamService(stream: stream, maxDelay: .seconds(1), linger: .milliseconds(200)) { batch in
            guard !batch.events.isEmpty else { return }
            try await database.write { db in
                if batch.startsSnapshot { try db.execute(sql: "DELETE FROM products") }
                for change in batch.rowChanges where change.relation.table == "products" {
                    try SearchIndex.apply(change, in: db)
                }
                if let checkpoint = batch.checkpoint { try SQLiteCheckpointStore.save(checkpoint, in: db) }
            }
        }
        // The stream ending at END_LSN ends the group too.
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [.init(service: service, successTerminationBehavior: .gracefullyShutdownGroup)],
                gracefulShutdownSignals: [.sigterm], logger: logger))
        try await group.run()
    }
}
