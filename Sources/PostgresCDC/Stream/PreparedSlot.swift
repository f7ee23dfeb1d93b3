import Logging
import PGOutput

/// The slot a session streams from, ready: the ``SlotDecision`` carried out — reuse, create (with a
/// snapshot), drop and re-create after a gap, refuse.
struct PreparedSlot {
    /// Where the slot starts: its confirmed position, or a new slot's consistent point.
    var position: LSN
    /// The snapshot being copied, for a slot created with one.
    var snapshot: SnapshotPhase?
    /// The slot was created with FAILOVER.
    var createdFailover = false
    /// The slot replaced one that could not be continued: the gap, handed out first.
    var gap: SlotGap?
    /// With a gap recovered by backfills: one request per published table.
    var gapBackfills: [BackfillRequest] = []

    /// Inspects the slot on `connection`, decides, and carries the decision out.
    static func prepare(
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
            var lost: (reason: String, lsn: LSN)?
            switch creation.replacing {
            case let .gap(reason, lsn)?:
                lost = (reason, lsn)
                try connection.dropReplicationSlot(slot)
            case let .missing(lsn)?:
                lost = ("it is missing (a failover to a standby without a synced copy of it, or it was dropped)", lsn)
            case let .emptyStore(confirmedFlush)?:
                logger.notice(
                    "nothing is stored from the slot: dropping it and copying the published tables again (onEmptyStore: resnapshot)",
                    metadata: ["slot": "\(slot)", "confirmed_lsn": "\(confirmedFlush)", "host": "\(host)"])
                try connection.dropReplicationSlot(slot)
            case nil:
                break
            }
            var prepared = PreparedSlot(position: .zero, createdFailover: creation.failover)
            var recovery = SlotGap.Recovery.snapshot
            var published: [String] = []
            if let lost {
                var why: String? = "a new snapshot was asked for (initial-only)"
                if creation.snapshot, !creation.endAfterSnapshot {
                    let tables = try ReplicationSetup.publishedTables(configuration, on: connection)
                    published = tables.map(\.name)
                    (recovery, why) = SlotGap.recovery(
                        serverVersion: connection.serverVersion, durableBackfillState: configuration.backfillStatePath != nil,
                        keylessTables: tables.filter { !$0.hasPrimaryKey }.map(\.name))
                }
                logger.warning(
                    """
                    slot cannot be continued: changes since the stored position are lost; dropping and re-creating it and reading \
                    the published tables again (onGap: resnapshot)
                    """,
                    metadata: [
                        "slot": "\(slot)", "reason": "\(lost.reason)", "lsn": "\(lost.lsn)", "host": "\(host)",
                        "recovery": "\(recovery.rawValue)\(why.map { " (\($0))" } ?? "")",
                    ])
            }
            if creation.snapshot && recovery == .snapshot {
                let phase = try SnapshotPhase(
                    configuration: configuration, endpoint: endpoint, connection: connection, catalog: catalog,
                    endingAfterwards: creation.endAfterSnapshot, failover: creation.failover, logger: logger)
                prepared.position = phase.consistentPoint
                prepared.snapshot = phase
                published = phase.reader.tables.map(\.name)
            } else {
                prepared.position = try connection.createLogicalSlot(slot, temporary: creation.temporary, failover: creation.failover)
                logger.info(
                    "created replication slot",
                    metadata: [
                        "slot": "\(slot)", "temporary": "\(creation.temporary)", "failover": "\(creation.failover)",
                        "lsn": "\(prepared.position)", "host": "\(host)",
                    ])
            }
            if let lost {
                let ids = recovery == .backfill ? published.map { SlotGap.backfillID(table: $0, resumedAt: prepared.position) } : []
                prepared.gapBackfills = zip(published, ids).map { BackfillRequest(table: $0, id: $1) }
                prepared.gap = SlotGap(
                    slot: slot, reason: lost.reason, lostFrom: lost.lsn, resumedAt: prepared.position, recovery: recovery,
                    tables: published, backfills: ids)
            }
            return prepared
        }
    }

    /// A standby's synced copy of a new failover slot stays temporary — and is dropped at
    /// promotion — until the standby can build a consistent snapshot between the slot's restart
    /// and confirmed positions, which needs a running-transactions record in that range. Asking the
    /// primary to log one now (`pg_log_standby_snapshot()`) lets the copy become persistent as soon
    /// as pgcdc confirms past it (it confirms the server's WAL position while idle). Best effort:
    /// without the privilege the copy becomes persistent at the server's next such record.
    static func nudgeStandbyCopies(of slot: String, on connection: PostgresConnection, logger: Logger) {
        do {
            let lsn =
                try connection.query("SELECT pg_catalog.pg_log_standby_snapshot()", describedAs: "pg_log_standby_snapshot()").rows.first?
                .first ?? nil
            logger.info(
                "logged a standby snapshot so that standbys keep the new failover slot",
                metadata: ["slot": "\(slot)", "lsn": "\(lsn ?? "?")"])
        } catch {
            logger.warning(
                "could not log a standby snapshot; the standbys' copy of the new slot becomes persistent at the server's next one",
                metadata: ["error": "\(error)"])
        }
    }
}
