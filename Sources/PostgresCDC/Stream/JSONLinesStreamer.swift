import PGOutput

/// What a finished stream did.
package struct StreamSummary: Sendable {
    /// Events written.
    package var events = 0
    /// Row events (insert, update, delete) written.
    package var rows = 0
    /// The last commit end LSN confirmed to the server.
    package var confirmedThrough: LSN = .zero
}

/// Drives a ``ReplicationSession`` into JSON lines on a file descriptor: encodes events into one
/// reused buffer, writes it whenever the socket has nothing more to read (so an idle stream has
/// no batching delay) or the buffer is large, and confirms to the server only what was written.
package struct JSONLinesStreamer {
    /// Write once this many bytes are buffered, even while more data is waiting.
    package var flushThreshold = 1 << 18

    package init() {}

    /// Streams until the session's end LSN is reached or an error occurs.
    package func run(_ session: ReplicationSession, to output: FileDescriptorOutput) throws -> StreamSummary {
        var buffer = JSONBuffer()
        buffer.bytes.reserveCapacity(flushThreshold + (1 << 16))
        let encoder = JSONLinesEncoder()
        var summary = StreamSummary()

        func flush() throws {
            if !buffer.bytes.isEmpty {
                try output.write(buffer.bytes)
                buffer.bytes.removeAll(keepingCapacity: true)
            }
            // Every event of the transactions up to completedThrough is now in the output.
            session.confirm(through: session.completedThrough)
            summary.confirmedThrough = session.completedThrough
        }

        var wait = false
        while true {
            switch try session.next(wait: wait) {
            case let .event(event):
                wait = false
                encoder.encode(event, into: &buffer)
                summary.events += 1
                if case .row = event { summary.rows += 1 }
                if buffer.bytes.count >= flushThreshold { try flush() }
            case .idle:
                try flush()
                wait = true
            case .end:
                try flush()
                return summary
            }
        }
    }
}
