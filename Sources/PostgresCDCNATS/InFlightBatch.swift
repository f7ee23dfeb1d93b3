import PostgresCDC

/// A copy of a batch the sink published and JetStream has not acknowledged yet, kept to publish it
/// again; numbered in the order written, which is the order of the positions.
struct InFlightBatch {
    /// 1 for a session's first batch, then one more per batch.
    let number: UInt64
    /// The lines, from index 0.
    private(set) var lines: [UInt8]
    /// The descriptors, their ends counted from index 0 of ``lines``.
    private(set) var descriptors: [LineDescriptor]
    /// Where streaming resumes once this batch and those before it are stored.
    let position: LSN
    let endsAtTransactionBoundary: Bool
    /// How many messages the batch makes (a truncate of several tables makes one per table).
    let messageCount: Int

    /// Copies `batch` into `lines` and `descriptors`, buffers of an acknowledged batch to reuse
    /// (their capacity is kept), or new ones.
    init(number: UInt64, copying batch: SinkBatch, lines: [UInt8]?, descriptors: [LineDescriptor]?) {
        self.number = number
        self.lines = lines ?? []
        self.lines.removeAll(keepingCapacity: true)
        self.lines.append(contentsOf: batch.lines)
        self.descriptors = descriptors ?? []
        self.descriptors.removeAll(keepingCapacity: true)
        self.descriptors.append(contentsOf: batch.descriptors)
        let offset = batch.lines.startIndex
        var messages = 0
        for descriptor in self.descriptors {
            if case let .tables(relations) = descriptor.target { messages += relations.count } else { messages += 1 }
        }
        if offset != 0 {
            for index in self.descriptors.indices { self.descriptors[index].end -= offset }
        }
        position = batch.position
        endsAtTransactionBoundary = batch.endsAtTransactionBoundary
        messageCount = messages
    }

    /// The batch, over the copy.
    var batch: SinkBatch {
        SinkBatch(
            lines: lines[...], descriptors: descriptors[...], position: position, endsAtTransactionBoundary: endsAtTransactionBoundary)
    }
}
