/// Why a checkpoint could not be read, written, or used.
public struct CheckpointError: Error, Sendable, CustomStringConvertible {
    /// The checkpoint file.
    public var path: String
    /// What went wrong.
    public var reason: String

    /// A checkpoint error for `path`.
    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { "checkpoint \(path): \(reason)" }
}
