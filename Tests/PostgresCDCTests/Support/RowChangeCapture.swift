import Logging
import Testing
@testable import PostgresCDC

extension StreamFixture {
    /// The inserts, updates and deletes a workload made (one psql call per script), streamed with
    /// text or binary values up to the WAL position after the workload.
    func rowChanges(_ workload: [String], binaryValues: Bool, timeout: Duration = .seconds(60)) throws -> [RowChange] {
        var configuration = configuration()
        configuration.binaryValues = binaryValues
        let session = try ReplicationSession(configuration: configuration, logger: Logger(label: "test"))
        defer { session.close() }
        for script in workload {
            try server.psql(script, database: database)
        }
        try stop(session)
        let deadline = ContinuousClock.now + timeout
        var changes: [RowChange] = []
        loop: while true {
            switch try session.next(wait: true) {
            case let .event(.insert(change)), let .event(.update(change)), let .event(.delete(change)): changes.append(change)
            case .event, .idle: break
            case .lines: Issue.record("rows as lines without a snapshot encoder")
            case .end: break loop
            }
            if ContinuousClock.now > deadline { throw StreamCaptureError.timedOut(lines: ["\(changes.count) row changes"]) }
        }
        session.confirm(through: session.completedThrough)
        return changes
    }
}
