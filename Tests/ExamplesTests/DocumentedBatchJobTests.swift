import Foundation
import Logging
import PostgresCDC
import PostgresCDCPostgresNIO
import PostgresNIO
import TestSupport
import Testing

// README.md's "The library" and GettingStarted.md's "Exactly once into PostgreSQL" show this code
// verbatim (DocumentedCodeTests checks): if it changes, change them too.
struct Order: Decodable {
    var id: Int
    var customerName: String
    var total: Decimal
}

/// Copies `orders` into the warehouse's `orders_copy` exactly once: each batch and its checkpoint commit together.
func copyOrders(source: String, warehouse: PostgresClient, logger: Logger) async throws {
    let store = try PostgresNIOCheckpointStore(client: warehouse, slot: "orders_slot")
    try await store.prepare()
    var configuration = StreamConfiguration(dsn: source, slot: "orders_slot", publication: "orders_pub")
    configuration.createSlot = true  // a new slot first copies the table
    // resumes after the stored checkpoint; the handler stores each batch's, so the stream writes none of its own
    let stream = ChangeStream(configuration: configuration, checkpointStore: store, checkpointSaving: .byHandler)
    try await stream.run { batch in  // acknowledges each batch once this closure returns
        try await warehouse.withTransaction(logger: logger) { connection in
            if batch.startsSnapshot { try await connection.query("TRUNCATE orders_copy", logger: logger) }
            for change in batch.rowChanges {
                if change.operation == .delete, let id = try change.old?["id"].as(Int.self) {
                    try await connection.query("DELETE FROM orders_copy WHERE id = \(id)", logger: logger)
                } else if let order = try change.resolved?.decode(Order.self, keys: .convertFromSnakeCase) {
                    try await connection.query(
                        """
                        INSERT INTO orders_copy VALUES (\(order.id), \(order.customerName), \(order.total))
                        ON CONFLICT (id) DO UPDATE SET customer_name = EXCLUDED.customer_name, total = EXCLUDED.total
                        """, logger: logger)
                }
            }
            if let checkpoint = batch.checkpoint { try await store.save(checkpoint, on: connection) }
        }
    }
}

/// The documented batch job, run as a user would: a fresh slot copies the table, the changes
/// follow, and a restart after cancelling resumes without repeating or losing any.
@Suite struct DocumentedBatchJobTests {
    @Test func theBatchJobCopiesTheTableAndItsChangesExactlyOnceAcrossARestart() async throws {
        let (server, source) = try TestServer.freshDatabase()
        let (_, warehouse) = try TestServer.freshDatabase()
        try server.psql(
            """
            CREATE TABLE orders (id int PRIMARY KEY, customer_name text NOT NULL, total numeric(12,2) NOT NULL);
            INSERT INTO orders SELECT g, 'customer ' || g, g * 1.25 FROM generate_series(1, 2500) g;
            CREATE PUBLICATION orders_pub FOR TABLE orders;
            """, database: source)
        try server.psql(
            "CREATE TABLE orders_copy (id int PRIMARY KEY, customer_name text NOT NULL, total numeric(12,2) NOT NULL)", database: warehouse)
        let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        let client = PostgresClient(configuration: try PostgresClient.Configuration(connectionString: server.dsn(database: warehouse)))
        let query = "SELECT string_agg(format('%s|%s|%s', id, customer_name, total), ';' ORDER BY id) FROM "
        // The copy as it stands, or nil while the job's transaction holds its table: waiting for
        // that lock in psql would block a thread of the cooperative pool the job needs to finish.
        func copied() -> String? {
            try? server.psql("SET lock_timeout = '100ms'; " + query + "orders_copy", database: warehouse)
        }

        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            for round in 0..<2 {
                let job = Task { try await copyOrders(source: server.dsn(database: source), warehouse: client, logger: logger) }
                try server.psql(
                    """
                    UPDATE orders SET total = total + 1 WHERE id % 7 = \(round);
                    DELETE FROM orders WHERE id % 11 = \(round);
                    INSERT INTO orders VALUES (\(3000 + round), 'new', 9.99);
                    """, database: source)
                let expected = try server.psql(query + "orders", database: source)
                _ = try await awaitUntil { copied() == expected }
                #expect(copied() == expected, "round \(round)")
                job.cancel()
                _ = try? await job.value
            }
        }
        #expect(try server.psql("SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'orders_slot'", database: source) == "1")
    }
}
