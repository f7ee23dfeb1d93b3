import PGOutput

/// What to stream and how: connection, slot, publication, start and end positions.
public struct StreamConfiguration: Sendable {
    /// A libpq connection string or URI (libpq's environment variables and `.pgpass` apply).
    public var dsn: String
    /// The logical replication slot to stream from.
    public var slot: String
    /// The publication that selects the tables.
    public var publication: String
    /// Create the slot when it does not exist.
    public var createSlot = false
    /// Create the slot as TEMPORARY (dropped when the connection ends); implies `createSlot`.
    public var temporarySlot = false
    /// Create the publication when it does not exist: for `tables`, or for all tables when empty.
    public var createPublication = false
    /// Tables (`schema.table` or `table`) for a publication that pgcdc creates.
    public var tables: [String] = []
    /// Where to start; `nil` resumes at the slot's confirmed position.
    public var startLSN: LSN?
    /// Stop, cleanly, once every transaction committed at or before this LSN has been handed out.
    public var endLSN: LSN?
    /// Produce begin and commit events.
    public var includeTransactionEvents = false
    /// Ask for logical decoding messages (`pg_logical_emit_message`).
    public var includeMessages = true
    /// Seconds between standby status updates sent to the server.
    public var statusInterval: Double = 10
    /// Seconds without any message from the server after which the connection is treated as dead
    /// (a frozen server process is invisible to TCP); half-way, a status update asks for a reply.
    /// `nil` waits forever.
    public var serverTimeout: Double? = 30
    /// Seconds between heartbeat messages (`pg_logical_emit_message`) emitted through a normal
    /// connection, for databases where nothing the slot sees ever changes; `nil` for none.
    /// Heartbeats advance the confirmed position and are not handed out as events.
    public var heartbeatInterval: Double?
    /// Seconds between checks of the WAL the slot retains (``SlotRetention``), through a normal
    /// connection: past ``retainedWALWarning`` a warning is logged; `pgcdc_slot_wal_retained_bytes`
    /// and `pgcdc_slot_wal_retained_ratio` are recorded. `nil` for no checks.
    public var slotCheckInterval: Double? = 60
    /// The share of `max_slot_wal_keep_size` (or, where that is unlimited, of the WAL disk's
    /// space) the slot's retained WAL may reach before a warning — again each time it grows by
    /// another 10 points, and at every check while `wal_status` is `unreserved`.
    public var retainedWALWarning = 0.5
    /// The pgoutput protocol version (1–4); `nil` asks for the highest the server supports (2 from
    /// PostgreSQL 14, 3 from 15, 4 from 16). Streaming needs 2, `parallel` streaming 4.
    public var protocolVersion: Int?
    /// Whether the server streams large transactions before they commit; see ``StreamingMode``.
    public var streaming: StreamingMode = .off
    /// Bytes of streamed, not yet committed changes held in memory; past it the largest
    /// transaction's changes move to a temporary file in ``spillDirectory``.
    public var maxMemory = 64 << 20
    /// Where streamed transactions spill; `nil` is `/tmp`. The files are unlinked
    /// as soon as they are created, so nothing is left behind.
    public var spillDirectory: String?
    /// Whether column values come in their binary send format (`binary`, PostgreSQL 14+), which
    /// moves the type output work from the server's single walsender process to pgcdc; either way
    /// the JSON is the same. `nil` (the default) chooses binary when the server supports it and
    /// pgcdc can convert the type of every column the publication has at start, else text; `true`
    /// insists on binary, `false` on text. In binary mode, a table with a column whose binary form
    /// pgcdc cannot convert (composite, range, tsvector, money, xml, …) stops the stream with an
    /// error naming the column; with `nil`, the next start then picks text. Snapshots and
    /// backfills copy in COPY's binary format unless this is `false`.
    public var binaryValues: Bool?
    /// Decode prepared transactions (two-phase commit; protocol 3+, PostgreSQL 15+): their changes
    /// are handed out at COMMIT PREPARED, with the gid, and dropped at ROLLBACK PREPARED. Needs
    /// ``preparedTransactionsDirectory``. Without it, a prepared transaction arrives as an ordinary
    /// one when it commits. On PostgreSQL 17 it needs ``failoverSlot`` `false`: 17 does not sync a
    /// slot's two-phase state to standbys, so a promotion could lose prepared transactions.
    public var twoPhase = false
    /// Where prepared transactions wait for their decision, one file each (put it beside the
    /// checkpoint: once a PREPARE is confirmed, the server does not send its changes again).
    public var preparedTransactionsDirectory: String?
    /// Only changes that did not come from another replication origin (`origin = none`,
    /// PostgreSQL 16+); `false` sends every change, whatever its origin.
    public var localChangesOnly = false
    /// Tables, columns and operations to leave out of the output.
    public var filter = EventFilter()
    /// Whether to copy the existing rows first; `nil` is the default: ``SnapshotMode/initial`` when
    /// pgcdc creates the slot, ``SnapshotMode/never`` for an existing one.
    public var snapshot: SnapshotMode?
    /// Connections that copy tables in parallel during a snapshot; with more than one, on
    /// PostgreSQL 14+, a table of at least 16 MiB is split into ranges of its pages, so one large
    /// table keeps them all busy (its rows then arrive in no particular order).
    public var snapshotJobs = 1
    /// The system identifier a checkpoint was taken on: a server that reports another one is
    /// refused, since its LSNs mean something else. `nil` accepts any server.
    public var expectedSystemIdentifier: String?
    /// What to do when the slot cannot continue what pgcdc stored from it (a checkpoint or the file
    /// sink's own position): missing, invalidated, or confirmed past it. Refuse (the default), or
    /// re-create it, hand out a ``ChangeEvent/gap(_:)`` and read the tables again (see ``SlotGap``).
    public var onGap: GapPolicy = .refuse
    /// What to do when the consumer's store (a ``CheckpointStore``, the checkpoint file, a sink
    /// that is its own checkpoint) is empty but the slot exists: refuse (the default), re-copy the
    /// tables, or continue from the slot (see ``EmptyStorePolicy``).
    public var onEmptyStore: EmptyStorePolicy = .refuse
    /// On PostgreSQL 17 and later, create the slot with `FAILOVER` so that standbys with
    /// `sync_replication_slots` keep a copy of it and a promoted standby can continue the stream.
    public var failoverSlot = true
    /// What to do with a published table whose updates and deletes carry no key (replica
    /// identity `NOTHING`, or `DEFAULT` without a primary key), checked when the stream starts and
    /// whenever the server describes a table: warn (the default), allow, or refuse.
    public var keylessTables: KeylessTablePolicy = .warn
    /// Backfills to request when the stream starts (each once: a request whose id the stream has
    /// already run is not repeated; see ``BackfillRequest``). PostgreSQL 14 or later.
    public var backfills: [BackfillRequest] = []
    /// Backfill a table automatically when it joins the publication while the stream runs (checked
    /// every ``backfillCheckInterval`` seconds).
    public var backfillNewTables = false
    /// Seconds between two checks of the publication's tables for ``backfillNewTables``.
    public var backfillCheckInterval: Double = 10
    /// Rows per second that backfills read at most, all together; `nil` for no limit.
    public var backfillRowsPerSecond: Double?
    /// The file where backfill progress is kept, position by position (see ``BackfillState``);
    /// `nil` keeps it in memory, so a backfill survives a reconnect but not a restart. `pgcdc stream`
    /// puts it beside the checkpoint or the output file.
    public var backfillStatePath: String?
    /// Where the stream reads the time (deadlines and intervals on the monotonic clock; `ts_ms`, a
    /// snapshot's commit time and lag on the wall clock). The system's clocks by default; tests give
    /// `ManualTimeSource` of `PostgresCDCTesting` to fix them.
    public var timeSource: any TimeSource = .system
    /// A configuration with the required values and defaults for the rest.
    public init(dsn: String, slot: String, publication: String) {
        self.dsn = dsn
        self.slot = slot
        self.publication = publication
    }
}
