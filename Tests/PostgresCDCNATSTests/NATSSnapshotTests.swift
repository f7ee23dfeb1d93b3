import Foundation
import PGOutput
import TestSupport
import Testing
@testable import PostgresCDC
@testable import PostgresCDCNATS

/// An initial snapshot into NATS: its rows on their table's subject, its end on the transactions
/// subject, in either format.
@Suite struct NATSSnapshotTests {
    @Test(arguments: ["native", "debezium"])
    func snapshotRowsAndTheSnapshotsEndArePublished(format: String) throws {
        let nats = try NATSTestServer()
        let (server, database) = try TestServer.freshDatabase()
        try server.psql(
            """
            CREATE TABLE a (id int PRIMARY KEY);
            CREATE PUBLICATION pub FOR TABLE a;
            INSERT INTO a SELECT generate_series(1, 10);
            """, database: database)
        let end = try server.psql("SELECT pg_current_wal_insert_lsn()", database: database)
        let result = try CLIProcess.run([
            "stream", "--dsn", server.dsn(database: database), "--slot", "slot_\(database)",
            "--publication", "pub", "--create-slot", "--sink", nats.url, "--nats-stream", "CDC",
            "--nats-create-stream", "--format", format, "--end-lsn", end,
        ])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let messages = try JetStreamReader.messages(url: nats.url, stream: "CDC")
        let rows = messages.filter { $0.subject == "pgcdc.public.a" }
        #expect(rows.count == 10)
        let point = try #require(rows.first?.messageID?.split(separator: ":").first.map(String.init))
        #expect(rows.compactMap(\.messageID) == (0..<10).map { "\(point):\($0)" })
        // The native format has a line for the snapshot's end; Debezium has none (outside the file sink).
        let ends = messages.filter { $0.subject == "pgcdc._transactions" }.compactMap(\.messageID)
        #expect(ends == (format == "native" ? ["\(point):snapshot"] : []))
        #expect(messages.count == rows.count + ends.count)
    }
}
