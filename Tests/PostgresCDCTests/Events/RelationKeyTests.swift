import Foundation
import PGOutput
import TestSupport
import Testing
@testable import PostgresCDC

/// The primary key apart from the replica identity (issue 16, defect 7), on a real server: what
/// `old` carries (`isKey`) and what to upsert on (`isPrimaryKey`), and the policy for tables
/// whose updates and deletes carry no key at all.
@Suite struct RelationKeyTests {
    static let setup = """
        CREATE TABLE pk_default (id int PRIMARY KEY, v text);
        CREATE TABLE full_no_pk (a int, b text);
        ALTER TABLE full_no_pk REPLICA IDENTITY FULL;
        CREATE TABLE unique_identity (a int NOT NULL, b text, c text);
        CREATE UNIQUE INDEX unique_identity_a ON unique_identity (a);
        ALTER TABLE unique_identity REPLICA IDENTITY USING INDEX unique_identity_a;
        CREATE TABLE full_pk (v text, id int PRIMARY KEY);
        ALTER TABLE full_pk REPLICA IDENTITY FULL;
        CREATE PUBLICATION pub FOR TABLE pk_default, full_no_pk, unique_identity, full_pk;
        """

    /// The relations of the rows of one transaction inserting into every table, by table name.
    static func relations(_ configure: (inout StreamConfiguration) -> Void = { _ in }) async throws -> [String: Relation] {
        let fixture = try StreamFixture.make(setup: setup)
        var configuration = fixture.configuration()
        configure(&configuration)
        let stream = ChangeStream(configuration: configuration)
        var iterator = stream.makeAsyncIterator()
        try await ChangeStreamTests.waitUntilConnected(stream)
        try fixture.server.psql(
            """
            BEGIN; INSERT INTO pk_default VALUES (1, 'x'); INSERT INTO full_no_pk VALUES (1, 'x');
            INSERT INTO unique_identity VALUES (1, 'x', 'y'); INSERT INTO full_pk VALUES ('x', 1); COMMIT;
            """, database: fixture.database)
        var relations: [String: Relation] = [:]
        while let event = try await iterator.next() {
            if let change = event.rowChange { relations[change.relation.table] = change.relation }
            if case .commit = event { break }
        }
        await stream.close()
        return relations
    }

    @Test func thePrimaryKeyIsReportedApartFromTheReplicaIdentity() async throws {
        let relations = try await Self.relations()
        let pk = try #require(relations["pk_default"])
        #expect(pk.keyColumnNames == ["id"])
        #expect(pk.primaryKeyColumnNames == ["id"])
        #expect(pk.upsertKeyColumnNames == ["id"])

        // FULL without a primary key: every column is in `old`, none is a key to upsert on.
        let full = try #require(relations["full_no_pk"])
        #expect(full.columns.allSatisfy { $0.isKey })
        #expect(full.keyColumnNames == ["a", "b"])
        #expect(full.primaryKeyColumnNames.isEmpty)
        #expect(!full.columns.contains { $0.isPrimaryKey })
        #expect(full.upsertKeyColumnNames.isEmpty)
        #expect(full.hasReplicaIdentity)

        // A unique index as the replica identity: a usable key, though not a primary key.
        let unique = try #require(relations["unique_identity"])
        #expect(unique.keyColumnNames == ["a"])
        #expect(unique.primaryKeyColumnNames.isEmpty)
        #expect(unique.upsertKeyColumnNames == ["a"])

        // FULL with a primary key: the catalog is asked for it.
        let fullPK = try #require(relations["full_pk"])
        #expect(fullPK.keyColumnNames == ["v", "id"])
        #expect(fullPK.primaryKeyColumnNames == ["id"])
        #expect(fullPK.columns.map { $0.isPrimaryKey } == [false, true])
    }

    @Test func theSnapshotsRelationsCarryThePrimaryKeyToo() async throws {
        let fixture = try StreamFixture.make(setup: Self.setup)
        try fixture.server.psql(
            "INSERT INTO full_no_pk VALUES (1, 'x'); INSERT INTO unique_identity VALUES (1, 'x', 'y'); "
                + "INSERT INTO full_pk VALUES ('x', 1);",
            database: fixture.database)
        var configuration = fixture.configuration()
        configuration.snapshot = .initial
        let stream = ChangeStream(configuration: configuration)
        var relations: [String: Relation] = [:]
        for try await event in stream {
            if let change = event.rowChange { relations[change.relation.table] = change.relation }
            if case .snapshotCompleted = event { break }
        }
        await stream.close()
        #expect(relations["full_no_pk"]?.primaryKeyColumnNames == [])
        #expect(relations["full_no_pk"]?.keyColumnNames == ["a", "b"])
        #expect(relations["unique_identity"]?.upsertKeyColumnNames == ["a"])
        #expect(relations["full_pk"]?.primaryKeyColumnNames == ["id"])
    }

    static let keylessSetup = """
        CREATE TABLE keyless (a int, b text);
        CREATE TABLE keyed (id int PRIMARY KEY);
        CREATE PUBLICATION pub FOR TABLE keyless, keyed;
        """

    @Test func aKeylessTableIsWarnedAboutOnce() async throws {
        let fixture = try StreamFixture.make(setup: Self.keylessSetup)
        let messages = RecordingLogHandler.Messages()
        let stream = ChangeStream(configuration: fixture.configuration(), logger: RecordingLogHandler.logger(into: messages))
        var iterator = stream.makeAsyncIterator()
        try await ChangeStreamTests.waitUntilConnected(stream)
        for value in 1...2 {
            try fixture.server.psql(
                "INSERT INTO keyless VALUES (\(value), 'x'); INSERT INTO keyed VALUES (\(value))", database: fixture.database)
        }
        var commits = 0
        while commits < 2, let event = try await iterator.next() {
            if case .commit = event { commits += 1 }
        }
        await stream.close()
        let warnings = messages.lines.filter { $0.hasPrefix("warning") && $0.contains("has no key") }
        #expect(warnings.count == 1, "\(warnings)")
        #expect(warnings.first?.contains("table=public.keyless") == true, "\(warnings)")
    }

    @Test func aKeylessTableIsRefusedNamingItWhenAskedTo() async throws {
        let fixture = try StreamFixture.make(setup: Self.keylessSetup)
        var configuration = fixture.configuration()
        configuration.keylessTables = .refuse
        let stream = ChangeStream(configuration: configuration, reconnect: nil)
        var iterator = stream.makeAsyncIterator()
        do {
            _ = try await iterator.next()
            Issue.record("a keyless table was streamed")
        } catch let error as ReplicationError {
            guard case let .keylessTable(table, identity) = error else {
                Issue.record("unexpected error: \(error)")
                return
            }
            #expect(table == "public.keyless")
            #expect(identity == .default)
            #expect("\(error)".contains("ALTER TABLE public.keyless REPLICA IDENTITY FULL"), "\(error)")
            #expect("\(error)".contains("keylessTables = .warn"), "\(error)")
        }
        await stream.close()
    }

    @Test func aKeylessTableIsStreamedWithoutAWordWhenAllowed() async throws {
        let fixture = try StreamFixture.make(setup: Self.keylessSetup)
        var configuration = fixture.configuration()
        configuration.keylessTables = .allow
        let stream = ChangeStream(configuration: configuration, reconnect: nil)
        _ = stream.makeAsyncIterator()
        try await ChangeStreamTests.waitUntilConnected(stream)
        await stream.close()
    }
}
