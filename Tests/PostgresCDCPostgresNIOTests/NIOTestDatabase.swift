import Foundation
import Logging
import PostgresCDCTesting
import PostgresNIO
import TestSupport

/// A fresh database on the shared test server and a running `PostgresClient` connected to it.
struct NIOTestDatabase {
    let server: LocalPostgresServer
    let database: String

    static let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    /// A fresh database where `setup` has run.
    static func make(setup: String = "SELECT 1") throws -> NIOTestDatabase {
        let (server, database) = try TestServer.freshDatabase()
        try server.psql(setup, database: database)
        return NIOTestDatabase(server: server, database: database)
    }

    var dsn: String { server.dsn(database: database) }

    @discardableResult func psql(_ sql: String) throws -> String { try server.psql(sql, database: database) }

    /// Runs `body` with a client of this database whose `run()` goes on until `body` returns.
    func withClient(_ body: (PostgresClient) async throws -> Void) async throws {
        let configuration = PostgresClient.Configuration(
            host: server.host, port: server.port, username: "postgres", password: nil, database: database, tls: .disable)
        let client = PostgresClient(configuration: configuration)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            try await body(client)
        }
    }
}

/// `work` on a thread of its own, as ``ChangeStream`` calls a store's blocking requirements.
func onAThreadOfItsOwn<Value: Sendable>(_ work: @escaping @Sendable () throws -> Value) async throws -> Value {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try work() }) }.start()
    }
}
