import Foundation
import PGOutput

/// The checkpoint saves of one ``ChangeStream``: one at a time, and only forward, so that
/// acknowledgements arriving out of order never move the stored checkpoint back.
///
/// `@unchecked Sendable`: `savedThrough` is only touched with `lock` held.
final class CheckpointSaves: @unchecked Sendable {
    private let lock = NSLock()
    private var savedThrough: LSN?

    /// Saves `checkpoint` with `save` unless a checkpoint at or past its position was saved already.
    func saveIfNewer(_ checkpoint: Checkpoint, _ save: (Checkpoint) throws -> Void) throws {
        try lock.withLock {
            if let savedThrough, checkpoint.lsn <= savedThrough { return }
            try save(checkpoint)
            savedThrough = checkpoint.lsn
        }
    }
}
