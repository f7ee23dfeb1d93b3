import Foundation
import PostgresCDC

/// Commits transactions of 1–50 inserted rows into `crash` on its own thread until stopped: the
/// workload the crash tests kill pgcdc in the middle of.
package final class TableWriter: @unchecked Sendable {
    // Safe: `stopping`, `failure` and `transactions` are only touched under `lock`.
    private let lock = NSLock()
    private var stopping = false
    private var failure: Error?
    private var transactions = 0
    private let done = DispatchSemaphore(value: 0)
    private let dsn: String
    private let pause: useconds_t

    package static let schema = "CREATE TABLE crash (id bigserial PRIMARY KEY, tx int NOT NULL, n int NOT NULL, note text NOT NULL);"

    package init(dsn: String, pauseMicroseconds: useconds_t = 4000) {
        self.dsn = dsn
        self.pause = pauseMicroseconds
    }

    package func start() {
        let thread = Thread { [self] in
            defer { done.signal() }
            do {
                let connection = try PostgresConnection(dsn: dsn, replication: false)
                defer { connection.close() }
                var generator = SystemRandomNumberGenerator()
                var tx = 0
                while !lock.withLock({ stopping }) {
                    tx += 1
                    let rows = Int.random(in: 1...50, using: &generator)
                    try connection.query("BEGIN")
                    try connection.query(
                        "INSERT INTO crash (tx, n, note) SELECT \(tx), g, repeat('x', g) FROM generate_series(1, \(rows)) g"
                    )
                    try connection.query("COMMIT")
                    lock.withLock { transactions += 1 }
                    usleep(pause)
                }
            } catch {
                lock.withLock { failure = error }
            }
        }
        thread.start()
    }

    /// Stops the writer and returns how many transactions it committed; throws what it failed with.
    package func stop() throws -> Int {
        lock.withLock { stopping = true }
        done.wait()
        if let failure = lock.withLock({ failure }) { throw failure }
        return lock.withLock { transactions }
    }

    package var committed: Int { lock.withLock { transactions } }
}
