#if canImport(Glibc)
import Glibc
#endif

/// Why a sink failed: what it was doing, to what, and the system's reason.
public struct SinkError: Error, Sendable, CustomStringConvertible {
    /// What the sink writes to (`stdout`, a file path, a server).
    public var destination: String
    /// What it was doing (`write`, `fsync`, `rotate`, `read the end of`, ...).
    public var operation: String
    /// The reason (`strerror` text or a description).
    public var reason: String

    /// A sink error with an explicit reason.
    public init(destination: String, operation: String, reason: String) {
        self.destination = destination
        self.operation = operation
        self.reason = reason
    }

    /// A sink error for a failed system call, from `errno`.
    public init(destination: String, operation: String, errorNumber: Int32) {
        self.init(destination: destination, operation: operation, reason: String(cString: strerror(errorNumber)))
    }

    public var description: String { "cannot \(operation) \(destination): \(reason)" }
}
