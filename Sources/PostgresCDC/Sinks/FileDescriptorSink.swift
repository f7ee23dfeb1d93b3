#if canImport(Glibc)
import Glibc
#endif
import PGOutput

/// A sink that writes JSON lines to an open file descriptor — stdout for the CLI.
///
/// A batch counts as taken once `write(2)` returned: a pipe or terminal offers nothing more
/// durable. When the descriptor is a regular file (`pgcdc stream > changes.jsonl`), ``flush(force:)``
/// also `fsync`s it, at most every `fsyncInterval` seconds unless forced. It keeps no position of
/// its own: resuming relies on the slot or a checkpoint, and the transaction in flight at a crash
/// may be written again (at-least-once).
public final class FileDescriptorSink: ChangeSink {
    /// The descriptor written to.
    public let descriptor: Int32
    /// A name for error messages (`stdout`).
    public let name: String
    /// Minimum seconds between two `fsync`s of a regular file when not forced; 0 syncs every flush.
    public let fsyncInterval: Double

    private let syncs: Bool
    private var written: LSN = .zero
    private var durable: LSN = .zero
    private var lastSync: UInt64 = 0
    private let timeSource: any TimeSource

    /// A sink writing to `descriptor` (not closed by the sink); `timeSource` tells when
    /// `fsyncInterval` has passed.
    public init(descriptor: Int32, name: String, fsyncInterval: Double = 0, timeSource: any TimeSource = .system) {
        self.descriptor = descriptor
        self.name = name
        self.fsyncInterval = fsyncInterval
        self.timeSource = timeSource
        self.syncs = FileIO.isRegularFile(descriptor)
    }

    /// `false`: the sink keeps no position of its own.
    public var needsCommitLines: Bool { false }

    /// Nothing to open; returns `nil` (no position of its own).
    public func open() throws(SinkError) -> LSN? { nil }

    /// Writes the whole batch, retrying short writes.
    public func write(_ batch: SinkBatch) throws(SinkError) {
        let failure = FileIO.writeAll(descriptor, batch.lines)
        if failure != 0 { throw SinkError(destination: name, operation: "write to", errorNumber: failure) }
        written = batch.position
        if !syncs { durable = written }
    }

    /// For a regular file, `fsync`s (subject to `fsyncInterval` unless forced); returns the durable position.
    public func flush(force: Bool) throws(SinkError) -> LSN {
        guard syncs, durable != written else { return durable }
        let now = timeSource.monotonicNanoseconds()
        if !force && fsyncInterval > 0 && now &- lastSync < UInt64(fsyncInterval * 1e9) { return durable }
        let failure = FileIO.sync(descriptor)
        if failure != 0 { throw SinkError(destination: name, operation: "fsync", errorNumber: failure) }
        lastSync = now
        durable = written
        return durable
    }

    /// Flushes; the descriptor stays open (it is not the sink's).
    public func close() throws(SinkError) {
        _ = try flush(force: true)
    }
}
