import Foundation
import PGOutput

/// The checkpoint saves of one ``ChangeStream``: one at a time, and only forward, so that
/// acknowledgements arriving out of order never move the stored checkpoint back.
///
/// `@unchecked Sendable`: `savedThrough` is only touched with `lock` held.
final class CheckpointSaves: @unchecked Sendable {
    private let lock = NSLock()
    private var savedThrough: LSN?
    /// The consumer's own saves were checked (``CheckpointSaving/byHandler``).
    private var checkedHandler = false

    /// Saves `checkpoint` with `save` unless a checkpoint at or past its position was saved already.
    func saveIfNewer(_ checkpoint: Checkpoint, _ save: (Checkpoint) throws -> Void) throws {
        try lock.withLock {
            if let savedThrough, checkpoint.lsn <= savedThrough { return }
            try save(checkpoint)
            savedThrough = checkpoint.lsn
        }
    }

    /// With ``CheckpointSaving/byHandler``: at the first acknowledgement, checks with `load` that the
    /// store holds `checkpoint` (or a later one): a handler that forgets to store it is found at once,
    /// before the server is told anything.
    func checkStoredByHandler(_ checkpoint: Checkpoint, _ load: () throws -> Checkpoint?) throws {
        try lock.withLock {
            guard !checkedHandler else { return }
            let stored = try load()
            guard let stored, stored.lsn >= checkpoint.lsn else {
                throw ChangeStreamError.checkpointNotStored(checkpoint.lsn, stored: stored?.lsn)
            }
            checkedHandler = true
        }
    }
}
