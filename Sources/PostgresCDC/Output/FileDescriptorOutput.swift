#if canImport(Glibc)
import Glibc
#endif

/// Why writing the output failed.
public struct OutputError: Error, Sendable, CustomStringConvertible {
    /// What was being written to.
    public var destination: String
    /// The system's reason (`strerror`).
    public var reason: String

    public var description: String { "cannot write to \(destination): \(reason)" }
}

/// Writes whole byte buffers to a file descriptor (stdout for the CLI), retrying short writes
/// and interrupted calls.
package struct FileDescriptorOutput: Sendable {
    /// The descriptor written to.
    package let descriptor: Int32
    /// A name for error messages ("stdout").
    package let name: String

    package init(descriptor: Int32, name: String) {
        self.descriptor = descriptor
        self.name = name
    }

    /// Writes all of `bytes`, or throws.
    package func write(_ bytes: [UInt8]) throws(OutputError) {
        var failure: Int32 = 0
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = Glibc.write(descriptor, raw.baseAddress.map { $0 + offset }, raw.count - offset)
                if written > 0 {
                    offset += written
                } else if written < 0 && errno == EINTR {
                    continue
                } else {
                    failure = written < 0 ? errno : EIO
                    return
                }
            }
        }
        if failure != 0 {
            throw OutputError(destination: name, reason: String(cString: strerror(failure)))
        }
    }
}
