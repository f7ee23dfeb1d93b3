import Foundation
import PGOutput
import PostgresCDC
import TestSupport
import Testing

// README.md's "The library" and GettingStarted.md's "Iterate the changes" show this function
// verbatim: if it changes, change them too (a test below checks).
/// Prints every change of `app_pub` and acknowledges what it printed; a new slot starts with a copy of the tables.
func printChanges(dsn: String, checkpoint: String) async throws {
    var configuration = StreamConfiguration(dsn: dsn, slot: "app_slot", publication: "app_pub")
    configuration.createSlot = true  // a new slot first copies the tables: .read rows, then .snapshotCompleted
    let stream = ChangeStream(configuration: configuration, checkpointStore: FileCheckpointStore(path: checkpoint))
    for try await event in stream {
        switch event {
        case let .read(change), let .insert(change), let .update(change):
            let id = try change.new?["id"].as(Int.self)  // typed values, clear errors
            print(change.operation, change.relation.table, id ?? 0)
        case let .delete(change):
            print("delete", change.relation.table, try change.old?["id"].as(Int.self) ?? 0)
        case let .snapshotCompleted(summary):
            try await stream.acknowledge(through: summary.consistentPoint)  // the copy is stored: now the changes
        case let .commit(commit):
            try await stream.acknowledge(commit)  // checkpoint, then the server may release WAL
        default:
            break
        }
    }
}

/// The documented example, run on a fresh slot: it copies the table, streams the changes after it
/// and checkpoints them (the earlier version left the snapshot unacknowledged and waited forever).
@Suite struct DocumentedExampleTests {
    static var root: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    static var example: Substring {
        get throws {
            let source = try String(contentsOf: URL(fileURLWithPath: #filePath), encoding: .utf8)
            let start = try #require(source.range(of: "/// Prints every change of `app_pub`"))
            let end = try #require(source.range(of: "\n}\n", range: start.upperBound..<source.endIndex))
            return source[start.lowerBound..<end.upperBound]
        }
    }

    @Test func theReadmeAndTheGettingStartedArticleShowTheTestedExample() throws {
        let example = try Self.example
        for document in ["README.md", "Sources/PostgresCDC/PostgresCDC.docc/GettingStarted.md"] {
            let text = try String(contentsOf: Self.root.appendingPathComponent(document), encoding: .utf8)
            #expect(text.contains(example), "\(document) does not show printChanges(dsn:checkpoint:) as the test runs it")
        }
    }

    @Test func theExampleCopiesTheTableThenStreamsAndCheckpointsTheChanges() async throws {
        let (server, database) = try TestServer.freshDatabase()
        try server.psql(
            "CREATE TABLE app (id int PRIMARY KEY, name text); INSERT INTO app VALUES (1, 'copied');"
                + "CREATE PUBLICATION app_pub FOR TABLE app;",
            database: database)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pgcdc-doc-\(database)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let checkpoint = "\(directory)/app.checkpoint"
        let job = Task { try await printChanges(dsn: server.dsn(database: database), checkpoint: checkpoint) }
        defer { job.cancel() }
        // The snapshot's acknowledgement is the first checkpoint; then a change and its commit.
        let store = FileCheckpointStore(path: checkpoint)
        _ = try await awaitUntil { try store.load() != nil }
        let afterSnapshot = try #require(try store.load()?.lsn, "the snapshot was never acknowledged")
        try server.psql("INSERT INTO app VALUES (2, 'streamed')", database: database)
        _ = try await awaitUntil { (try store.load()?.lsn ?? .zero) > afterSnapshot }
        #expect((try store.load()?.lsn ?? .zero) > afterSnapshot, "the change after the snapshot was not checkpointed")
        job.cancel()
        _ = try? await job.value
    }
}
