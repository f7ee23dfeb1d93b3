import PGOutput

/// Where encoded change events go: a sink takes batches of JSON lines (each line described by a
/// ``LineDescriptor``, see ``SinkBatch``), makes them durable, and reports how far they are durable.
///
/// The stream calls the sink from one thread, synchronously: while ``write(_:)`` or
/// ``flush(force:)`` runs, nothing more is read from the server, so a slow sink slows the stream
/// (backpressure) and memory stays bounded by one batch. The server is told a position is flushed
/// only once ``flush(force:)`` has returned it.
public protocol ChangeSink: AnyObject {
    /// Whether the sink needs a `commit` line (Debezium format: a transaction END record) after
    /// every transaction it stores, to find transaction boundaries in what it wrote (``FileSink``
    /// does; it is its own checkpoint). It also gets an END record for the snapshot's end in
    /// Debezium format.
    var needsCommitLines: Bool { get }

    /// Prepares the sink and returns the position its own storage says everything before it is
    /// stored (a sink that is its own checkpoint), or `nil` when it keeps no position.
    func open() throws(SinkError) -> LSN?

    /// Whether the sink is its own checkpoint: ``open()`` returns the position its storage holds,
    /// `nil` while it holds none. An empty one facing an existing slot is then decided by
    /// ``StreamConfiguration/onEmptyStore``. The default is `false`.
    var keepsOwnPosition: Bool { get }

    /// Takes one batch. The sink may buffer it; it must not keep a reference to `batch.lines` or
    /// `batch.descriptors` (both are reused for the next batch; copy what it keeps).
    func write(_ batch: SinkBatch) throws(SinkError)

    /// Makes what was written durable and returns the position up to which it is: the
    /// ``SinkBatch/position`` of the last batch that is now durable. With `force: false` the sink
    /// may defer the work (group commit) and return an older position.
    func flush(force: Bool) throws(SinkError) -> LSN

    /// Flushes and releases the sink.
    func close() throws(SinkError)

    /// For a sink that keeps its own position (``open()`` returns one): the slot, cluster and
    /// timeline that position belongs to, as recorded by ``recordOrigin(_:)``; `nil` when none was
    /// recorded. The stream refuses to continue another slot's or cluster's positions, and checks
    /// the server's timeline against it (see the failover gates). The default records nothing.
    func recordedOrigin() throws(SinkError) -> SinkOrigin?

    /// Records, durably, where the sink's positions now come from; called on every connect
    /// before anything is written. The default does nothing.
    func recordOrigin(_ origin: SinkOrigin) throws(SinkError)
}

extension ChangeSink {
    /// `false`: the sink keeps no position of its own.
    public var keepsOwnPosition: Bool { false }

    /// No origin is kept.
    public func recordedOrigin() throws(SinkError) -> SinkOrigin? { nil }

    /// No origin is kept.
    public func recordOrigin(_ origin: SinkOrigin) throws(SinkError) {}
}

/// The slot, cluster and timeline a sink's own positions belong to: an LSN means something only
/// on the cluster (and timeline) it came from.
public struct SinkOrigin: Sendable, Hashable {
    /// The replication slot the positions were read from.
    public var slot: String
    /// The cluster's system identifier.
    public var systemIdentifier: String
    /// The timeline of the server last streamed from (`nil` when not recorded).
    public var timeline: UInt32?
    /// Where the origin is kept, for error messages (a sink fills it in when it reads the origin).
    public var location: String

    /// An origin.
    public init(slot: String, systemIdentifier: String, timeline: UInt32?, location: String = "") {
        self.slot = slot
        self.systemIdentifier = systemIdentifier
        self.timeline = timeline
        self.location = location
    }
}
