import Logging
import PGOutput
import Testing
@testable import PostgresCDC
@testable import PostgresCDCConnection

/// The reconnect-and-resume rules, without a server: which errors are retried, how failures are
/// counted, what the next attempt learns from the last session, and how a stop ends the wait.
@Suite struct ResumingRunnerTests {
    static let system = SystemIdentification(systemID: "7441234567890123456", timeline: 3, walPosition: LSN(0x900), database: "app")
    static let lost = ReplicationError.connectionLost(host: "db:5432", message: "gone", lastLSN: LSN(0x100))
    static let refused = ReplicationError.connectionFailed(hosts: "db:5432", message: "refused")

    final class FakeSession: ResumableSession {
        let carry: SessionCarry
        var closed = false
        init(handedOut: LSN) { carry = SessionCarry(system: ResumingRunnerTests.system, handedOut: handedOut) }
        func close() { closed = true }
    }

    /// Each attempt either fails to open, or opens and then fails or finishes.
    enum Step {
        case openFails(ReplicationError)
        case streamFails(ReplicationError, handedOut: LSN)
        case finishes
    }

    /// The steps left, shared by the driver and the stand-in for the server.
    final class Script {
        var steps: [Step]
        var opened: [FakeSession] = []
        init(_ steps: [Step]) { self.steps = steps }

        func open() throws -> FakeSession {
            if case let .openFails(error)? = steps.first {
                steps.removeFirst()
                throw error
            }
            var handedOut = LSN.zero
            if case let .streamFails(_, lsn)? = steps.first { handedOut = lsn }
            let session = FakeSession(handedOut: handedOut)
            opened.append(session)
            return session
        }
    }

    struct ScriptedDriver: ResumingDriver {
        let script: Script
        var previous: [SessionCarry?] = []
        var pauses: [Double] = []
        var stopAtPause: Int?

        init(_ steps: [Step], stopAtPause: Int? = nil) {
            script = Script(steps)
            self.stopAtPause = stopAtPause
        }

        mutating func prepare(after previous: SessionCarry?) throws -> ResumePoint {
            self.previous.append(previous)
            return ResumePoint(StreamConfiguration(dsn: "", slot: "s", publication: "p"))
        }

        mutating func stream(_ session: FakeSession) throws -> String {
            if case let .streamFails(error, _) = script.steps.removeFirst() { throw error }
            return "done"
        }

        mutating func pause(for delay: Double) -> Bool {
            pauses.append(delay)
            return stopAtPause.map { pauses.count < $0 } ?? true
        }
    }

    static func run(_ driver: inout ScriptedDriver, policy: ReconnectPolicy? = ReconnectPolicy(maxDelay: 2)) throws -> String? {
        let runner = ResumingRunner(
            policy: policy, configuration: StreamConfiguration(dsn: "", slot: "s", publication: "p"),
            logger: Logger(label: "test"))
        let script = driver.script
        return try runner.run(&driver) { _ in try script.open() }
    }

    @Test func aFirstConnectionThatFailsIsAnErrorAtOnce() {
        var driver = ScriptedDriver([.openFails(Self.refused)])
        #expect(throws: ReplicationError.self) { try Self.run(&driver) }
        #expect(driver.pauses.isEmpty)
    }

    @Test func aLostConnectionIsRetriedAndTheNextAttemptIsGatedByTheLastSession() throws {
        var driver = ScriptedDriver([.streamFails(Self.lost, handedOut: LSN(0x700)), .finishes])
        #expect(try Self.run(&driver) == "done")
        #expect(driver.previous.count == 2)
        #expect(driver.previous[0] == nil)
        #expect(driver.previous[1]?.handedOut == LSN(0x700))
        #expect(driver.previous[1]?.system.timeline == 3)
        #expect(driver.pauses.count == 1)
        #expect(driver.pauses[0] >= 0.25 && driver.pauses[0] <= 0.5)
        #expect(driver.script.opened.count == 2)
        #expect(driver.script.opened.allSatisfy { $0.closed })
    }

    @Test func failuresToReconnectCountUpToThePolicysAttempts() {
        var driver = ScriptedDriver([
            .streamFails(Self.lost, handedOut: LSN(0x10)), .openFails(Self.refused), .openFails(Self.refused), .openFails(Self.refused),
            .finishes,
        ])
        #expect(throws: ReplicationError.self) { try Self.run(&driver, policy: ReconnectPolicy(maxDelay: 2, attempts: 3)) }
        // The loss, then three failed reconnects: the third is the last the policy allows.
        #expect(driver.pauses.count == 3)
        #expect(driver.script.steps.count == 1)
        // Delays grow: 0.5, 1, 2 s (each between half and all of that).
        #expect(driver.pauses[2] >= 1 && driver.pauses[2] <= 2)
    }

    @Test func anErrorThatReconnectingCannotPassIsThrown() {
        var driver = ScriptedDriver([.streamFails(.slotNotFound(slot: "s", host: "db"), handedOut: LSN(1))])
        #expect(throws: ReplicationError.self) { try Self.run(&driver) }
        #expect(driver.pauses.isEmpty)
    }

    @Test func aStopWhileWaitingEndsTheRunWithoutAnError() throws {
        var driver = ScriptedDriver([.streamFails(Self.lost, handedOut: LSN(1)), .finishes], stopAtPause: 1)
        #expect(try Self.run(&driver) == nil)
    }

    @Test func withoutAPolicyALossIsThrown() {
        var driver = ScriptedDriver([.streamFails(Self.lost, handedOut: LSN(1))])
        #expect(throws: ReplicationError.self) { try Self.run(&driver, policy: nil) }
    }
}
