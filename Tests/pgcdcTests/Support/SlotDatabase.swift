import Foundation
import PostgresCDCTesting
import TestSupport
@testable import PostgresCDC

/// A fresh database on the shared test server with a publication `pub`, a pgoutput slot named
/// after the database, and a scratch directory for the files of the pgcdc runs.
struct SlotDatabase {
    var server: LocalPostgresServer
    var database: String
    var scratch: String
    var dsn: String { server.dsn(database: database) }
    var slot: String { "slot_\(database)" }

    /// Runs `setup` (which must create the publication `pub`), then creates the slot.
    static func make(_ setup: String) throws -> SlotDatabase {
        let (server, database) = try TestServer.freshDatabase()
        try server.psql(setup + "\nSELECT pg_create_logical_replication_slot('slot_\(database)', 'pgoutput');", database: database)
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("pgcdc-\(database)").path
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        return SlotDatabase(server: server, database: database, scratch: scratch)
    }

    /// `pgcdc stream` arguments for this slot and publication, then `extra`. The slot was created
    /// by hand before any output or checkpoint existed, so its first run continues from it.
    func arguments(_ extra: [String]) -> [String] {
        ["stream", "--dsn", dsn, "--slot", slot, "--publication", "pub", "--on-empty-store", "continue"] + extra
    }

    @discardableResult
    func sql(_ text: String) throws -> String { try server.psql(text, database: database) }

    func confirmedFlush() throws -> LSN {
        LSN(try sql("SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = '\(slot)'")) ?? .zero
    }

    func currentLSN() throws -> String { try sql("SELECT pg_current_wal_insert_lsn()") }

    func remove() { try? FileManager.default.removeItem(atPath: scratch) }
}
