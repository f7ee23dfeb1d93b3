/// Why a checkpoint could not be read, written, or used.
public struct CheckpointError: Error, Sendable, CustomStringConvertible {
    /// The checkpoint file.
    public var path: String
    /// What went wrong.
    public var reason: String
    /// When the checkpoint is refused as another slot's: the slot asked for and the slots stored,
    /// so that the CLI can say it with its options (`--slot`, `--checkpoint`).
    package var slotMismatch: SlotMismatch?

    /// A checkpoint of other slots than the one asked for (most likely a misspelt slot name).
    package struct SlotMismatch: Sendable, Equatable {
        /// The slot the stream was asked to use.
        package var slot: String
        /// The slots whose checkpoints the store holds.
        package var storedSlots: [String]
    }

    /// A checkpoint error for `path`.
    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { "checkpoint \(path): \(reason)" }
}
