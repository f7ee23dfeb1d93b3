import Logging

/// The replication connection a session streams on: the first host of the DSN's list that answers
/// as a primary, belongs to the checkpoint's cluster and may continue its timeline.
struct PrimaryConnection {
    var connection: PostgresConnection
    var system: SystemIdentification
    /// The host of a multi-host DSN it reached (`nil` for a DSN of one host).
    var host: HostList.Host?

    /// Connects to the DSN's hosts in order. With several hosts each is tried alone, so that an old
    /// primary that came back (a lower timeline than the checkpoint's) is skipped for the next
    /// host instead of ending the attempt; every skipped host is logged with the reason.
    static func connect(_ configuration: StreamConfiguration, resume: ResumePoint, logger: Logger) throws(ReplicationError)
        -> PrimaryConnection
    {
        let hosts = HostList(dsn: configuration.dsn)?.hosts ?? []
        guard hosts.count > 1 else {
            let connection = try PostgresConnection(dsn: configuration.dsn, replication: true)
            do {
                return PrimaryConnection(connection: connection, system: try passGates(connection, resume, logger: logger), host: nil)
            } catch {
                connection.close()
                throw error
            }
        }
        var reasons: [String] = []
        var oldPrimaries: [ReplicationError] = []
        for host in hosts {
            let connection: PostgresConnection
            do {
                connection = try PostgresConnection(dsn: configuration.dsn, replication: true, overrides: host.overrides)
            } catch {
                reasons.append(Self.reason(error))
                logger.info("host not usable", metadata: ["host": "\(host)", "reason": "\(Self.reason(error))"])
                continue
            }
            do {
                let system = try passGates(connection, resume, logger: logger)
                return PrimaryConnection(connection: connection, system: system, host: host)
            } catch let error {
                connection.close()
                guard case .oldPrimary = error else { throw error }
                reasons.append("\(host): \(error)")
                oldPrimaries.append(error)
                logger.warning("skipping an old primary", metadata: ["host": "\(host)", "reason": "\(error)"])
            }
        }
        if oldPrimaries.count == hosts.count, let first = oldPrimaries.first { throw first }
        throw .connectionFailed(hosts: hosts.map(\.description).joined(separator: ", "), message: reasons.joined(separator: "; "))
    }

    /// Session settings, `IDENTIFY_SYSTEM`, the system identifier and the timeline gate.
    private static func passGates(_ connection: PostgresConnection, _ resume: ResumePoint, logger: Logger) throws(ReplicationError)
        -> SystemIdentification
    {
        for statement in SessionSettings.statements {
            try connection.query(statement, describedAs: statement)
        }
        let system = try connection.identifySystem()
        if let expected = resume.expectedSystemIdentifier, expected != system.systemID {
            throw .systemIdentifierMismatch(expected: expected, actual: system.systemID, host: connection.serverAddress)
        }
        try checkTimeline(resume, system: system, connection: connection, logger: logger)
        return system
    }

    /// libpq's message for a host that could not be reached, which already names the host.
    private static func reason(_ error: ReplicationError) -> String {
        if case let .connectionFailed(hosts, message) = error {
            return message.hasPrefix("connection to server") ? message : "\(hosts): \(message)"
        }
        return "\(error)"
    }

    /// Gate on every connect: may the checkpoint's position be continued on this server's timeline?
    static func checkTimeline(_ resume: ResumePoint, system: SystemIdentification, connection: PostgresConnection, logger: Logger)
        throws(ReplicationError)
    {
        guard let stored = resume.checkpointTimeline, stored > 0, let storedLSN = resume.checkpointLSN else { return }
        let history = system.timeline > stored ? try connection.timelineHistory(system.timeline) : nil
        let host = connection.serverAddress
        switch TimelineGate.decide(storedTimeline: stored, storedLSN: storedLSN, serverTimeline: system.timeline, history: history) {
        case .proceed:
            if system.timeline != stored {
                logger.warning(
                    "continuing on a new timeline",
                    metadata: [
                        "host": "\(host)", "timeline": "\(system.timeline)", "checkpoint_timeline": "\(stored)", "lsn": "\(storedLSN)",
                    ])
            }
        case let .olderTimeline(server, checkpoint):
            throw .oldPrimary(timeline: server, checkpointTimeline: checkpoint, host: host)
        case let .aheadOfNewPrimary(timeline, switchPoint, checkpoint):
            throw .timelineMismatch(
                reason:
                    "timeline \(timeline) ended at \(switchPoint) here, but the checkpoint is at \(checkpoint): the changes between "
                    + "\(switchPoint) and \(checkpoint) were delivered but never reached this new primary (and LSNs after "
                    + "\(switchPoint) are reused on timeline \(system.timeline)); refusing to continue",
                host: host
            )
        case let .unknownHistory(timeline):
            throw .timelineMismatch(
                reason:
                    "its timeline history (timeline \(system.timeline)) does not mention the checkpoint's timeline \(timeline); "
                    + "refusing to continue",
                host: host)
        }
    }
}
