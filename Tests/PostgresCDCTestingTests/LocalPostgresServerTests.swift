import Foundation
import PostgresCDC
import PostgresCDCTesting
import TestSupport
import Testing

/// README.md's "Testing your job" paragraph, verbatim: if this test changes, change the README too.
@Test func aJobSeesTheRowsOfAThrowawayServer() async throws {
    let server = try LocalPostgresServer.start()  // initdb + pg_ctl in a temporary directory
    defer { server.stop() }  // stops it and removes the directory
    let setup = """
        CREATE TABLE orders (id int PRIMARY KEY, item text);
        INSERT INTO orders VALUES (1, 'tea');
        CREATE PUBLICATION app_pub FOR TABLE orders;
        """
    try server.psql(setup)
    var configuration = StreamConfiguration(dsn: server.dsn(), slot: "app_slot", publication: "app_pub")
    configuration.createSlot = true  // a new slot starts with a snapshot of the rows
    let stream = ChangeStream(configuration: configuration)
    var ids: [Int] = []
    for try await event in stream {
        switch event {
        case let .read(change), let .insert(change):
            ids.append(try change.new?["id"].as(Int.self) ?? 0)
        case let .snapshotCompleted(summary):
            try await stream.acknowledge(through: summary.consistentPoint)  // stored: now stream the changes
            try server.psql("INSERT INTO orders VALUES (2, 'scone')")
        case let .commit(commit):
            try await stream.acknowledge(commit)
            stream.stop()  // ends the iteration
        default:
            break
        }
    }
    await stream.close()
    #expect(ids == [1, 2])
}

@Test func psqlReturnsTheTrimmedTuplesOnly() throws {
    let (server, database) = try TestServer.freshDatabase()
    #expect(try server.psql("SELECT 40 + 2", database: database) == "42")
    #expect(try server.psql("SHOW wal_level", database: database) == "logical")
}

@Test func aNewDatabaseIsReachableThroughItsDSN() throws {
    let (server, _) = try TestServer.freshDatabase()
    #expect(server.dsn(database: "app_1") == "host=127.0.0.1 port=\(server.port) user=postgres dbname=app_1")
    let name = "it's \"app\" \\ \(UUID().uuidString)"
    try server.createDatabase(name)
    #expect(try server.psql("SELECT current_database()", database: name) == name)
    let connection = try PostgresConnection(dsn: server.dsn(database: name), replication: false)
    defer { connection.close() }
    #expect(connection.databaseName == name)
}

@Test func anSQLErrorThrowsWithPsqlsMessage() throws {
    let (server, database) = try TestServer.freshDatabase()
    let error = try #require(throws: LocalPostgresServerError.self) {
        try server.psql("SELECT * FROM missing_table", database: database)
    }
    #expect(error.step == "psql")
    #expect(error.detail.contains("missing_table"))
}

@Test func stopRemovesTheDirectoryAndCanBeCalledAgain() throws {
    let server = try LocalPostgresServer.start()
    let data = server.dataDirectory
    #expect(FileManager.default.fileExists(atPath: data))
    server.stop()
    server.stop()
    #expect(!FileManager.default.fileExists(atPath: data))
}

@Test func theReadmeShowsTheFirstTestVerbatim() throws {
    let tests = URL(fileURLWithPath: #filePath)
    let root = tests.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let source = try String(contentsOf: tests, encoding: .utf8)
    let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
    let start = try #require(source.range(of: "@Test func aJobSees"))
    let end = try #require(source.range(of: "\n}\n", range: start.upperBound..<source.endIndex))
    #expect(readme.contains(source[start.lowerBound..<end.upperBound]))
}
