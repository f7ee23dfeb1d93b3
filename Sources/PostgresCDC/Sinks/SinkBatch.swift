import PGOutput

/// A batch of encoded events for a ``ChangeSink``: the bytes to store, and per line a
/// ``LineDescriptor`` saying what it encodes, so the sink never parses the JSON back.
public struct SinkBatch: Sendable {
    /// Whole lines (JSON in the chosen ``OutputFormat``), each ending in a newline.
    public var lines: ArraySlice<UInt8>
    /// One descriptor per line of ``lines``, in order; empty for a batch built without them.
    public var descriptors: ArraySlice<LineDescriptor>
    /// Where streaming may resume once this batch is durable: every transaction that committed
    /// before it is complete in this batch or an earlier one.
    public var position: LSN
    /// Whether the batch's last line ends a transaction (or stands outside one); `false` when a
    /// large transaction was cut into several batches and continues in the next.
    public var endsAtTransactionBoundary: Bool

    /// A batch of `lines` that is complete up to `position`, without descriptors.
    public init(lines: ArraySlice<UInt8>, position: LSN, endsAtTransactionBoundary: Bool) {
        self.init(lines: lines, descriptors: [], position: position, endsAtTransactionBoundary: endsAtTransactionBoundary)
    }

    /// A batch of `lines`, described line by line by `descriptors`, complete up to `position`.
    public init(lines: ArraySlice<UInt8>, descriptors: ArraySlice<LineDescriptor>, position: LSN, endsAtTransactionBoundary: Bool) {
        self.lines = lines
        self.descriptors = descriptors
        self.position = position
        self.endsAtTransactionBoundary = endsAtTransactionBoundary
    }

    /// Whether the descriptors cover the lines (the last ends where ``lines`` ends): `false` for a
    /// batch built without them.
    public var isDescribed: Bool {
        guard let last = descriptors.last else { return lines.isEmpty }
        return last.end == lines.endIndex
    }

    /// Calls `body` with each line (its bytes without the newline) and its descriptor, in order.
    /// A descriptor whose ``LineDescriptor/end`` lies outside ``lines`` ends the walk.
    public func forEachLine<Failure: Error>(_ body: (ArraySlice<UInt8>, LineDescriptor) throws(Failure) -> Void) throws(Failure) {
        var start = lines.startIndex
        for descriptor in descriptors {
            guard descriptor.end > start, descriptor.end <= lines.endIndex else { return }
            try body(lines[start..<(descriptor.end - 1)], descriptor)
            start = descriptor.end
        }
    }
}
