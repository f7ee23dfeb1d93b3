import PGOutput

/// An error of the replication client: what went wrong, and where (host, slot, publication, LSN).
///
/// Every case describes itself in one line meant for the person running pgcdc.
public enum ReplicationError: Error, Sendable, CustomStringConvertible {
    /// The connection could not be opened; `hosts` names what libpq tried.
    case connectionFailed(hosts: String, message: String)
    /// The server rejected a command. Keeps the SQLSTATE and the server's own message.
    case serverError(command: String, sqlState: String?, message: String, host: String)
    /// The connection broke while streaming.
    case connectionLost(host: String, message: String, lastLSN: LSN)
    /// Logical decoding needs `wal_level = logical`.
    case walLevelNotLogical(actual: String, host: String)
    /// The replication slot does not exist.
    case slotNotFound(slot: String, host: String)
    /// The replication slot is being used by another connection.
    case slotActive(slot: String, pid: Int?, host: String)
    /// The slot exists but cannot be used by this client (another plugin, database or a physical slot).
    case slotUnusable(slot: String, reason: String)
    /// The publication does not exist in the database.
    case publicationNotFound(publication: String, database: String)
    /// A message of the stream could not be decoded.
    case decoding(PGOutputError, lsn: LSN)
    /// The stream broke a rule of the protocol (a change outside a transaction, an unknown relation, ...).
    case protocolViolation(reason: String, lsn: LSN)
    /// The server belongs to another cluster than the one the checkpoint was taken on.
    case systemIdentifierMismatch(expected: String, actual: String, host: String)
    /// A setting of the configuration cannot be honoured (by this server, or on this machine);
    /// the problem names the setting and what it needs.
    case configuration(ConfigurationProblem)
    /// A value given to the library is not valid (a connection string libpq cannot parse, a name
    /// it cannot quote).
    case invalidOption(String)
    /// Values come in binary and a column's type has a binary form pgcdc cannot turn into text.
    case binaryColumnUnsupported(table: String, column: String, typeOID: UInt32, lsn: LSN)
    /// The slot has two-phase decoding enabled (a start with ``StreamConfiguration/twoPhase`` turned
    /// it on, and it stays on) and this stream did not ask for it.
    case slotHasTwoPhase(slot: String)
    /// The server answered a command with something unexpected.
    case unexpectedResponse(command: String, detail: String)
    /// A file holding an undecided transaction's changes (spilled past the memory bound, or a
    /// prepared transaction kept for its COMMIT PREPARED) could not be written or read.
    case spillFailed(directory: String, operation: String, reason: String, xid: UInt32)
    /// The directory where prepared transactions wait for their decision, or a file in it, could
    /// not be created, listed or read (no transaction is known yet at that point).
    case storageFailed(path: String, operation: String, reason: String)
    /// The slot pgcdc was resuming from is gone (a failover without failover slots, a dropped slot):
    /// the changes since `lsn` may be lost.
    case slotMissing(slot: String, lsn: LSN, host: String)
    /// The slot exists but continuing from it would skip changes the consumer never stored since
    /// `lsn` (it was invalidated, or something else confirmed past the checkpoint).
    case slotGap(slot: String, reason: String, lsn: LSN, host: String)
    /// The slot exists and its consumer confirmed up to `confirmedFlush`, but the consumer's store
    /// holds no position: continuing would skip every row written before (a rebuilt target).
    case storeEmpty(slot: String, confirmedFlush: LSN, host: String)
    /// The server's timeline does not allow continuing from the checkpoint (an old primary, or a
    /// new one that never had changes the checkpoint holds).
    case timelineMismatch(reason: String, host: String)
    /// The server is on an older timeline than the checkpoint: an old primary that came back after
    /// a failover. pgcdc skips it for the next host of the list.
    case oldPrimary(timeline: UInt32, checkpointTimeline: UInt32, host: String)
    /// A published table's updates and deletes carry no key (``StreamConfiguration/keylessTables``
    /// is ``KeylessTablePolicy/refuse``): its replica identity is `NOTHING`, or `DEFAULT` while it
    /// has no primary key. `table` is `schema.table`.
    case keylessTable(table: String, replicaIdentity: RelationMessage.ReplicaIdentity)
    /// A backfill request was refused before it was sent (`table` is `schema.table`).
    case backfillRefused(table: String, reason: String)
    /// The file that keeps backfill progress could not be read or written.
    case backfillStateFailed(path: String, operation: String, reason: String)

    /// In the library's words: settings are named as ``StreamConfiguration``'s properties.
    public var description: String {
        render(name: { $0.description })
    }

    /// The error in a front end's words: `name` spells a setting with its value (the CLI gives
    /// its option for `createSlot = true`).
    public func render(name: (SettingValue) -> String) -> String {
        switch self {
        case let .connectionFailed(hosts, message):
            return "could not connect to \(hosts): \(message)"
        case let .serverError(command, sqlState, message, host):
            let code = sqlState.map { " (SQLSTATE \($0))" } ?? ""
            return "server \(host) rejected \(command): \(message)\(code)"
        case let .connectionLost(host, message, lastLSN):
            return "connection to \(host) lost after LSN \(lastLSN): \(message)"
        case let .walLevelNotLogical(actual, host):
            return
                "server \(host) has wal_level=\(actual); logical decoding needs wal_level=logical (set it in postgresql.conf and "
                + "restart the server)"
        case let .slotNotFound(slot, host):
            return "replication slot \"\(slot)\" does not exist on \(host) (create it with \(name(SettingValue(.createSlot, "true"))))"
        case let .slotActive(slot, pid, host):
            let who = pid.map { "process \($0)" } ?? "another connection"
            return "replication slot \"\(slot)\" on \(host) is in use by \(who)"
        case let .slotUnusable(slot, reason):
            return "replication slot \"\(slot)\" cannot be used: \(reason)"
        case let .publicationNotFound(publication, database):
            return
                "publication \"\(publication)\" does not exist in database \"\(database)\" (create it, or use "
                + "\(name(SettingValue(.createPublication, "true"))))"
        case let .decoding(error, lsn):
            return "cannot decode the replication stream at LSN \(lsn): \(error)"
        case let .protocolViolation(reason, lsn):
            return "unexpected replication stream at LSN \(lsn): \(reason)"
        case let .systemIdentifierMismatch(expected, actual, host):
            return
                "server \(host) has system identifier \(actual), but the checkpoint or output file was taken on \(expected): refusing "
                + "to resume (its LSNs belong to another cluster)"
        case let .configuration(problem):
            return problem.render(name: name)
        case let .invalidOption(message):
            return message
        case let .binaryColumnUnsupported(table, column, typeOID, lsn):
            return "\(name(SettingValue(.binaryValues, "true"))): column \(table).\(column) has type OID \(typeOID), whose binary form "
                + "pgcdc cannot turn into text (at LSN \(lsn)); use \(name(SettingValue(.binaryValues, "false"))) (without "
                + "\(name(SettingValue(.binaryValues, "true"))), pgcdc picks text values on its next start), or leave the column out "
                + "with \(name(SettingValue(.filter)))"
        case let .slotHasTwoPhase(slot):
            let twoPhase = SettingValue(.twoPhase, "true")
            return "replication slot \"\(slot)\" cannot be used: it has two-phase decoding enabled (a start with \(name(twoPhase)) "
                + "turned it on, and it stays on): use \(name(twoPhase))"
        case let .unexpectedResponse(command, detail):
            return "unexpected response to \(command): \(detail)"
        case let .slotMissing(slot, lsn, host):
            return
                "replication slot \"\(slot)\" is missing on \(host), but pgcdc has stored changes from it up to LSN \(lsn): the "
                + "changes since \(lsn) may be lost (a failover without failover slots, or a dropped slot). Refusing to create a "
                + "new slot silently; use \(name(SettingValue(.onGap, ".resnapshot"))) to re-create it and copy the tables again"
        case let .slotGap(slot, reason, lsn, host):
            return
                "replication slot \"\(slot)\" on \(host) cannot continue from LSN \(lsn): \(reason); changes since \(lsn) may be lost. "
                + "Refusing to continue; use \(name(SettingValue(.onGap, ".resnapshot"))) to drop and re-create it and copy the "
                + "tables again"
        case let .storeEmpty(slot, confirmedFlush, host):
            return
                "replication slot \"\(slot)\" exists on \(host) with its changes confirmed up to LSN \(confirmedFlush), but nothing "
                + "is stored from it (the checkpoint store or the output file is empty): streaming on would skip every row written "
                + "before \(confirmedFlush), so a rebuilt target would silently miss them. Refusing to guess; use "
                + "\(name(SettingValue(.onEmptyStore, ".resnapshot"))) to drop the slot and copy the tables again, or "
                + "\(name(SettingValue(.onEmptyStore, ".continueFromSlot"))) when the target already holds everything up to "
                + "\(confirmedFlush)"
        case let .timelineMismatch(reason, host):
            return "server \(host): \(reason)"
        case let .oldPrimary(timeline, checkpointTimeline, host):
            return
                "server \(host): it is on timeline \(timeline), the checkpoint on \(checkpointTimeline): an old primary that came "
                + "back; refusing to stream from it"
        case let .spillFailed(directory, operation, reason, xid):
            return "could not \(operation) the file in \(directory) that holds the changes of transaction \(xid): \(reason)"
        case let .keylessTable(table, identity):
            let why =
                switch identity {
                case .nothing: "its replica identity is NOTHING"
                case .index: "the index of its replica identity is gone"
                case .default, .full: "it has no primary key (replica identity DEFAULT)"
                }
            return "table \(table) is published but \(why): its updates and deletes carry no key, and the server refuses them "
                + "while the publication publishes them. Add a primary key, or run ALTER TABLE \(table) REPLICA IDENTITY FULL "
                + "(or USING INDEX of a unique index); or stream it anyway with \(name(SettingValue(.keylessTables, ".warn")))"
        case let .storageFailed(path, operation, reason):
            return "could not \(operation) \(path) (prepared transactions waiting for COMMIT or ROLLBACK PREPARED): \(reason)"
        case let .backfillRefused(table, reason):
            return "cannot backfill \(table): \(reason)"
        case let .backfillStateFailed(path, operation, reason):
            return "could not \(operation) \(path) (the progress of backfills): \(reason)"
        }
    }
}
