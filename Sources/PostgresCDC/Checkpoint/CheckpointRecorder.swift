#if canImport(Glibc)
import Glibc
#endif
import PGOutput

/// Records a stream's checkpoint as it advances, as often as every transaction, at a cost that
/// keeps up with small transactions.
///
/// With `syncInterval` 0 every record is saved durably by ``FileCheckpointStore/save(_:)``'s
/// protocol (temporary file, `fsync`, rename, `fsync` of the directory) — about half a millisecond
/// each. With `syncInterval` S, a record is saved that way at most every S seconds and whenever
/// forced (the stream is idle or stopping); in between it overwrites the record in place without
/// `fsync`. An in-place overwrite survives any crash of the process (it is in the kernel's page
/// cache at once), so a killed pgcdc still resumes after the last transaction it wrote; only a power
/// loss or kernel crash can take the checkpoint back by up to S seconds (more repeats, never a gap:
/// a record is only ever a position the sink had already made durable). The server only hears
/// ``durablyRecorded``, so its slot never gets ahead of the checkpoint on disk — which lets pgcdc
/// treat a slot ahead of the checkpoint as a real gap (another consumer of the slot, an old copy
/// of the checkpoint).
public final class CheckpointRecorder {
    /// Where the checkpoint lives.
    public let store: FileCheckpointStore
    /// The least seconds between two durable saves when not forced; 0 saves every record durably.
    public let syncInterval: Double

    private var descriptor: Int32 = -1
    private var recordSize = FileCheckpointStore.minimumRecordSize
    private var lastSync: UInt64 = 0
    private var unsynced: Checkpoint?
    private let timeSource: any TimeSource

    /// A recorder writing to `store`; `timeSource` tells when ``syncInterval`` has passed.
    public init(store: FileCheckpointStore, syncInterval: Double = 0, timeSource: any TimeSource = .system) {
        self.store = store
        self.syncInterval = syncInterval
        self.timeSource = timeSource
    }

    deinit {
        if descriptor >= 0 { Glibc.close(descriptor) }
    }

    /// The position of the last record saved durably: the most the server may be told is flushed
    /// (so that its slot is never ahead of the checkpoint, even after a power loss).
    public private(set) var durablyRecorded: LSN = .zero

    /// Records `checkpoint`; durably when `force`, when no durable save happened for `syncInterval`
    /// seconds, or when the record no longer fits the file. Returns ``durablyRecorded``.
    @discardableResult
    public func record(_ checkpoint: Checkpoint, force: Bool) throws(CheckpointError) -> LSN {
        let now = timeSource.monotonicNanoseconds()
        let record = FileCheckpointStore.record(checkpoint, size: recordSize)
        let due = syncInterval <= 0 || now &- lastSync >= UInt64(syncInterval * 1e9)
        if force || due || descriptor < 0 || record.count != recordSize {
            recordSize = record.count
            let replaced = try store.replace(with: record)
            if descriptor >= 0 { Glibc.close(descriptor) }
            descriptor = replaced
            lastSync = now
            unsynced = nil
            durablyRecorded = checkpoint.lsn
            return durablyRecorded
        }
        let written = record.withUnsafeBytes { raw in pwrite(descriptor, raw.baseAddress, raw.count, 0) }
        guard written == record.count else {
            throw store.failure("cannot overwrite the checkpoint", written < 0 ? errno : EIO)
        }
        unsynced = checkpoint
        return durablyRecorded
    }

    /// Saves the last record durably if it is not yet, and closes the file.
    public func close() throws(CheckpointError) {
        if let unsynced { _ = try record(unsynced, force: true) }
        if descriptor >= 0 {
            Glibc.close(descriptor)
            descriptor = -1
        }
    }
}
