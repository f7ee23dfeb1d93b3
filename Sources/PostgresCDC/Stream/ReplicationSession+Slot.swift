import Logging
import PGOutput

/// Carrying out the ``SlotDecision``: reuse, create (with a snapshot), drop and re-create, refuse.
extension ReplicationSession {
    /// The slot, ready to stream from.
    struct PreparedSlot {
        /// Where the slot starts: its confirmed position, or a new slot's consistent point.
        var position: LSN
        /// The snapshot being copied, for a slot created with one.
        var snapshot: SnapshotPhase?
        /// Stop once the snapshot is stored.
        var endAfterSnapshot = false
        /// The slot was created with FAILOVER.
        var createdFailover = false
    }

    static func prepareSlot(
        _ configuration: StreamConfiguration, resume: ResumePoint, on connection: PostgresConnection,
        endpoint: ServerEndpoint, catalog: TypeCatalog, logger: Logger
    ) throws(ReplicationError) -> PreparedSlot {
        let host = connection.serverAddress
        let slot = configuration.slot
        let existing = try ReplicationSetup.inspectSlot(configuration, on: connection)
        switch SlotDecision.decide(
            existing: existing, configuration: configuration, resume: resume, serverVersion: connection.serverVersion)
        {
        case let .refuse(refusal):
            throw ReplicationError(refusal, slot: slot, host: host)
        case let .reuse(confirmedFlush, warnNotFailover):
            if warnNotFailover {
                logger.warning(
                    "slot is not a failover slot: a promoted standby will not have it",
                    metadata: [
                        "slot": "\(slot)", "host": "\(host)",
                        "fix": "ALTER_REPLICATION_SLOT \(slot) (FAILOVER true) on a replication connection, or pg_alter_replication_slot",
                    ])
            }
            return PreparedSlot(position: confirmedFlush)
        case let .create(creation):
            switch creation.replacing {
            case let .gap(reason, lsn)?:
                logger.warning(
                    "slot cannot be continued: dropping and re-creating it with a new snapshot (onGap: resnapshot)",
                    metadata: [
                        "slot": "\(slot)", "reason": "\(reason)", "lsn": "\(lsn)", "host": "\(host)",
                    ])
                try connection.dropReplicationSlot(slot)
            case let .missing(lsn)?:
                logger.warning(
                    "slot missing: re-creating it with a new snapshot (onGap: resnapshot)",
                    metadata: [
                        "slot": "\(slot)", "lsn": "\(lsn)", "host": "\(host)",
                    ])
            case nil:
                break
            }
            var prepared = PreparedSlot(position: .zero, endAfterSnapshot: creation.endAfterSnapshot, createdFailover: creation.failover)
            if creation.snapshot {
                let phase = try SnapshotPhase(
                    configuration: configuration, endpoint: endpoint, connection: connection, catalog: catalog, logger: logger)
                prepared.position = phase.consistentPoint
                prepared.snapshot = phase
            } else {
                prepared.position = try connection.createLogicalSlot(slot, temporary: creation.temporary, failover: creation.failover)
                logger.info(
                    "created replication slot",
                    metadata: [
                        "slot": "\(slot)", "temporary": "\(creation.temporary)", "failover": "\(creation.failover)",
                        "lsn": "\(prepared.position)", "host": "\(host)",
                    ])
            }
            return prepared
        }
    }
}
