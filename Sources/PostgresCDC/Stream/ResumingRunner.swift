import Logging
import PGOutput

/// One run's way through connection losses, said once for every driver (``SinkStream`` for the
/// CLI, ``ChangeStream`` for the library): resolve where to resume → open a session → stream →
/// classify the error → back off → again.
///
/// A first connection that fails is always an error (a wrong DSN should not hang); once a session
/// of the run was open, an error that reconnecting may get past
/// (``ReplicationError/mayPassByReconnecting``) is retried following the ``ReconnectPolicy``, and
/// the next connect is gated by what the last session left (``SessionCarry``).
struct ResumingRunner {
    /// When and how often to try again; `nil` gives up at once.
    package var policy: ReconnectPolicy?
    /// The configuration every session of the run opens with.
    package var configuration: StreamConfiguration
    /// Where the reconnect warnings go.
    package var logger: Logger

    package init(policy: ReconnectPolicy?, configuration: StreamConfiguration, logger: Logger) {
        self.policy = policy
        self.configuration = configuration
        self.logger = logger
    }

    /// Runs `driver` until an attempt ends without an error that reconnecting may pass; `nil`
    /// when the driver's ``ResumingDriver/pause(for:)`` reported a stop request.
    package func run<Driver: ResumingDriver>(_ driver: inout Driver) throws -> Driver.Outcome? where Driver.Session == ReplicationSession {
        // One ledger for the run: backfills in memory survive a reconnect too.
        let ledger = try BackfillLedger(path: configuration.backfillStatePath)
        return try run(&driver) { resume throws(ReplicationError) in
            try ReplicationSession(configuration: configuration, resume: resume, backfillLedger: ledger, logger: logger)
        }
    }

    /// ``run(_:)`` with sessions that `open` makes (a test's stand-in for a server).
    package func run<Driver: ResumingDriver>(
        _ driver: inout Driver, open: (ResumePoint) throws -> Driver.Session
    ) throws -> Driver.Outcome? {
        var connected = false
        var failures = 0
        var previous: SessionCarry?
        while true {
            var session: Driver.Session?
            do {
                let resume = try driver.prepare(after: previous)
                let opened = try open(resume)
                session = opened
                defer { opened.close() }
                return try driver.stream(opened)
            } catch let error as ReplicationError where error.mayPassByReconnecting && (connected || session != nil) {
                let connectedThisTime = session != nil
                if let session { previous = session.carry }
                connected = true
                failures = connectedThisTime ? 1 : failures + 1
                guard let policy, policy.attempts.map({ failures <= $0 }) ?? true else { throw error }
                let delay = policy.delay(afterFailures: failures)
                logger.warning(
                    "connection lost, reconnecting",
                    metadata: [
                        "error": "\(error)", "attempt": "\(failures)", "delay": "\(String(format: "%.2f", delay)) s",
                        "hosts": "\(PostgresConnection.describeHosts(dsn: configuration.dsn))",
                    ])
                guard driver.pause(for: delay) else { return nil }
            }
        }
    }
}

/// A session as the runner sees it: what it leaves for the next connect, and how to close it.
protocol ResumableSession: AnyObject {
    /// What the session leaves for the next connect of the run.
    var carry: SessionCarry { get }
    /// Ends the session.
    func close()
}

extension ReplicationSession: ResumableSession {
    package var carry: SessionCarry { SessionCarry(system: system, handedOut: handedOutThrough) }
}

/// What a session of a run leaves for the next connect: its cluster and timeline, and how far it
/// handed changes out.
package struct SessionCarry: Sendable {
    /// The server it streamed from.
    package var system: SystemIdentification
    /// The furthest position it handed to the consumer's storage.
    var handedOut: LSN

    package init(system: SystemIdentification, handedOut: LSN) {
        self.system = system
        self.handedOut = handedOut
    }
}

/// The part of a run that differs between drivers: where an attempt resumes, what it does with
/// the session, and how it waits before the next attempt.
protocol ResumingDriver {
    /// What a finished run returns.
    associatedtype Outcome
    /// The sessions it streams on (``ReplicationSession``; a stand-in in tests).
    associatedtype Session: ResumableSession = ReplicationSession

    /// Prepares an attempt and says where it resumes; `previous` is what the run's last session
    /// left (`nil` before the first connect).
    mutating func prepare(after previous: SessionCarry?) throws -> ResumePoint

    /// Streams on `session` until done (the runner closes it).
    mutating func stream(_ session: Session) throws -> Outcome

    /// The attempt failed and will be tried again: releases what it held and waits `delay`
    /// seconds; `false` when a stop was requested meanwhile.
    mutating func pause(for delay: Double) -> Bool
}
