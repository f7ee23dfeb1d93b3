import Foundation
import Testing
@testable import PostgresCDC
import PGOutput

/// Captures fuzzing seeds from the real server: with PGCDC_CAPTURE_SEEDS=DIR, streams a workload
/// with streaming, two-phase and binary values on, and writes each kind of message to DIR as a file
/// of its own, plus the whole sequence (trimmed to 8 KiB) as `[UInt16 length][message]` records —
/// the form the fuzz target feeds to the assembler. Skipped otherwise.
@Suite struct SeedCapture {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["PGCDC_CAPTURE_SEEDS"] != nil))
    func captureStreamingTwoPhaseAndBinarySeeds() throws {
        let directory = ProcessInfo.processInfo.environment["PGCDC_CAPTURE_SEEDS"] ?? "/tmp"
        let fixture = try StreamFixture.make(setup: BinaryValueTests.setup)
        let connection = try PostgresConnection(dsn: fixture.dsn, replication: true)
        defer { connection.close() }
        _ = try connection.createLogicalSlot(fixture.slot, temporary: true)
        try fixture.server.psql(
            BinaryValueTests.rows + """
                BEGIN; INSERT INTO v (id, t) SELECT g, repeat('s', 40) FROM generate_series(100, 1500) g;
                SAVEPOINT a; INSERT INTO v (id, t) VALUES (9999, 'undone'); ROLLBACK TO a; COMMIT;
                BEGIN; INSERT INTO v (id, t) SELECT g, repeat('p', 40) FROM generate_series(2000, 3500) g; PREPARE TRANSACTION 'big';
                COMMIT PREPARED 'big';
                BEGIN; INSERT INTO v (id, t) VALUES (5000, 'small prepared'); PREPARE TRANSACTION 'small';
                ROLLBACK PREPARED 'small';
                """, database: fixture.database)
        let end = LSN(try fixture.server.psql("SELECT pg_current_wal_insert_lsn()", database: fixture.database)) ?? .zero
        try connection.startLogicalReplication(
            slot: fixture.slot, start: .zero,
            options: [
                ("proto_version", "3"), ("publication_names", "pub"), ("streaming", "on"), ("two_phase", "on"), ("binary", "true"),
                ("messages", "true"),
            ])
        var messages: [[UInt8]] = []
        var lastLSN = LSN.zero
        let deadline = ContinuousClock.now + .seconds(60)
        while lastLSN < end, ContinuousClock.now < deadline {
            switch try connection.readCopyData() {
            case let .data(bytes):
                switch try ReplicationMessage.decode(bytes[...]) {
                case let .xLogData(data):
                    messages.append(Array(data.data))
                    lastLSN = max(lastLSN, data.walStart)
                case let .primaryKeepalive(keepalive):
                    lastLSN = max(lastLSN, keepalive.walEnd)
                }
            case .wouldBlock:
                _ = try connection.waitForInput(timeoutMilliseconds: 500)
            case .copyDone:
                lastLSN = end
            }
        }
        #expect(messages.count > 100)
        var seenKinds = Set<UInt8>()
        var records: [UInt8] = []
        var insertsInARow = 0
        for message in messages {
            guard let tag = message.first else { continue }
            if !seenKinds.contains(tag) {
                seenKinds.insert(tag)
                try Data(message).write(to: URL(fileURLWithPath: "\(directory)/captured-\(String(format: "%02x", tag)).bin"))
            }
            insertsInARow = tag == UInt8(ascii: "I") ? insertsInARow + 1 : 0
            if insertsInARow > 3 || records.count + message.count + 2 > 8192 { continue }
            records.append(UInt8(message.count >> 8))
            records.append(UInt8(message.count & 0xFF))
            records.append(contentsOf: message)
        }
        try Data(records).write(to: URL(fileURLWithPath: "\(directory)/captured-stream-records.bin"))
        #expect(
            seenKinds.isSuperset(of: [
                UInt8(ascii: "S"), UInt8(ascii: "E"), UInt8(ascii: "c"), UInt8(ascii: "b"), UInt8(ascii: "P"), UInt8(ascii: "K"),
                UInt8(ascii: "r"),
            ]))
    }
}
