import Foundation
import Testing
@testable import PostgresCDC
import PGOutput

/// Records the pgoutput streams the micro-benchmark replays (`Benchmarks/streams`): with
/// PGCDC_RECORD_STREAMS=DIR and the shared harness's `workloads.sql` (PGCDC_BENCH_WORKLOADS, default
/// ../shared/bench/workloads.sql), generates the bench's `small`, `wide`, `mixed` and `bigtx` workloads
/// (scaled down) and writes each XLogData payload as a `[UInt32 length][message]` record, once with text
/// and once with binary values. PGCDC_RECORD_WORKLOADS=small,wide records only those. Skipped otherwise.
@Suite struct StreamRecorder {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["PGCDC_RECORD_STREAMS"] != nil))
    func recordTheBenchWorkloads() throws {
        let environment = ProcessInfo.processInfo.environment
        let directory = environment["PGCDC_RECORD_STREAMS"] ?? "/tmp"
        let workloads = try String(contentsOfFile: environment["PGCDC_BENCH_WORKLOADS"] ?? "../shared/bench/workloads.sql", encoding: .utf8)
        let chosen = (environment["PGCDC_RECORD_WORKLOADS"] ?? "small,wide,mixed,bigtx").components(separatedBy: ",")
        // (name, before the slots exist, the changes recorded)
        let all = [
            ("small", "CALL bench_create_narrow('small');", "CALL bench_fill_narrow('small', 1, 10000, 1000);"),
            ("wide", "CALL bench_create_wide();", "CALL bench_fill_wide(2000, 1000);"),
            // The bench's mixed: a pre-filled narrow table, updates and deletes 3:1, 1,000 changes per transaction.
            (
                "mixed", "CALL bench_create_narrow('narrow'); CALL bench_fill_narrow('narrow', 1, 4000, 4000);",
                "CALL bench_mixed(3000, 1000, 1000);"
            ),
            // The bench's bigtx: inserts in one transaction.
            ("bigtx", "CALL bench_create_narrow('bigtx');", "CALL bench_fill_narrow('bigtx', 1, 10000, 10000);"),
        ]
        for (name, setup, fill) in all where chosen.contains(name) {
            let fixture = try StreamFixture.make(setup: workloads)
            try fixture.server.psql(setup, database: fixture.database)
            try fixture.server.psql("CREATE PUBLICATION pub FOR ALL TABLES", database: fixture.database)
            var slots: [(String, PostgresConnection)] = []
            for mode in ["text", "binary"] {
                let connection = try PostgresConnection(dsn: fixture.dsn, replication: true)
                _ = try connection.createLogicalSlot("\(fixture.slot)_\(mode)", temporary: true)
                slots.append((mode, connection))
            }
            try fixture.server.psql(fill, database: fixture.database)
            let end = LSN(try fixture.server.psql("SELECT pg_current_wal_insert_lsn()", database: fixture.database)) ?? .zero
            for (mode, connection) in slots {
                defer { connection.close() }
                try connection.startLogicalReplication(
                    slot: "\(fixture.slot)_\(mode)", start: .zero,
                    options: [
                        ("proto_version", "3"), ("publication_names", "pub"), ("binary", mode == "binary" ? "true" : "false"),
                    ])
                var records: [UInt8] = []
                var last = LSN.zero
                let deadline = ContinuousClock.now + .seconds(120)
                while last < end, ContinuousClock.now < deadline {
                    switch try connection.readCopyData() {
                    case let .data(bytes):
                        switch try ReplicationMessage.decode(bytes[...]) {
                        case let .xLogData(data):
                            withUnsafeBytes(of: UInt32(data.data.count).bigEndian) { records.append(contentsOf: $0) }
                            records.append(contentsOf: data.data)
                            last = max(last, data.walStart)
                        case let .primaryKeepalive(keepalive):
                            last = max(last, keepalive.walEnd)
                        }
                    case .wouldBlock:
                        _ = try connection.waitForInput(timeoutMilliseconds: 500)
                    case .copyDone:
                        last = end
                    }
                }
                try Data(records).write(to: URL(fileURLWithPath: "\(directory)/\(name)-\(mode).pgo"))
            }
        }
    }
}
