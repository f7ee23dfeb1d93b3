import Foundation
import PostgresCDCTesting
import TestSupport
import Logging
@testable import PostgresCDC

/// What a test streamed: the JSON lines and their parsed objects.
struct CapturedStream {
    var lines: [String]
    var objects: [[String: Any]]

    /// Row, truncate and message events (everything but begin/commit).
    var changes: [[String: Any]] { objects.filter { ($0["op"] as? String).map { $0 != "begin" && $0 != "commit" } ?? false } }
}

enum StreamCaptureError: Error, CustomStringConvertible {
    case timedOut(lines: [String])
    case badEndLSN(String)
    case notJSON(String)

    var description: String {
        switch self {
        case let .timedOut(lines): return "stream did not reach its end LSN in time; got \(lines.count) lines"
        case let .badEndLSN(text): return "pg_current_wal_lsn() gave \(text)"
        case let .notJSON(line): return "not a JSON object: \(line)"
        }
    }
}

/// A database with a slot and a publication, and a way to stream what a workload did.
struct StreamFixture {
    let server: LocalPostgresServer
    let database: String
    let slot: String
    let publication: String

    /// A fresh database; `setup` runs first (create tables and the publication `pub` there).
    /// With `postgres18`, on the shared PostgreSQL 18 server instead of Debian's.
    static func make(setup: String, postgres18: Bool = false) throws -> StreamFixture {
        let (server, database) = try postgres18 ? TestServer.freshDatabase18() : TestServer.freshDatabase()
        try server.psql(setup, database: database)
        return StreamFixture(server: server, database: database, slot: "slot_\(database)", publication: "pub")
    }

    var dsn: String { server.dsn(database: database) }

    func configuration() -> StreamConfiguration {
        var configuration = StreamConfiguration(dsn: dsn, slot: slot, publication: publication)
        configuration.createSlot = true
        // These tests are about changes; the snapshot has tests of its own.
        configuration.snapshot = .never
        configuration.statusInterval = 0.2
        return configuration
    }

    /// Opens a session (creating the slot), runs `workload` statement scripts one psql call each,
    /// and streams everything up to the WAL position after the workload.
    func capture(
        _ workload: [String],
        timeout: Duration = .seconds(60),
        configure: (inout StreamConfiguration) -> Void = { _ in }
    ) throws -> CapturedStream {
        var configuration = configuration()
        configure(&configuration)
        let session = try ReplicationSession(configuration: configuration, logger: Logger(label: "test"))
        defer { session.close() }
        for script in workload {
            try server.psql(script, database: database)
        }
        try stop(session)
        return try drain(session, timeout: timeout)
    }

    /// Points the session's end at the current WAL position.
    func stop(_ session: ReplicationSession) throws {
        let text = try server.psql("SELECT pg_current_wal_insert_lsn()", database: database)
        guard let end = LSN(text) else { throw StreamCaptureError.badEndLSN(text) }
        session.stop(at: end)
    }

    /// Encodes every event until the end, with a deadline.
    func drain(_ session: ReplicationSession, timeout: Duration) throws -> CapturedStream {
        let deadline = ContinuousClock.now + timeout
        var buffer = JSONBuffer()
        var encoder = JSONLinesEncoder()
        loop: while true {
            switch try session.next(wait: true) {
            case let .event(event): encoder.encode(event, into: &buffer)
            case let .lines(rows): buffer.bytes += rows.bytes
            case .idle: break
            case .end: break loop
            }
            if ContinuousClock.now > deadline {
                throw StreamCaptureError.timedOut(lines: Self.lines(buffer.bytes))
            }
        }
        session.confirm(through: session.completedThrough)
        let lines = Self.lines(buffer.bytes)
        var objects: [[String: Any]] = []
        for line in lines {
            guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                throw StreamCaptureError.notJSON(line)
            }
            objects.append(object)
        }
        return CapturedStream(lines: lines, objects: objects)
    }

    static func lines(_ bytes: [UInt8]) -> [String] {
        String(decoding: bytes, as: UTF8.self).split(separator: "\n").map(String.init)
    }
}
