import PGOutput

/// The encoded lines waiting for a sink: their bytes, a ``LineDescriptor`` per line, and where the
/// last complete transaction among them ends. The streamer encodes events into it, marks
/// transaction boundaries, and hands a prefix to the sink as a ``SinkBatch``; what stays moves to
/// the front. Both arrays are reused from batch to batch.
struct PendingLines {
    /// The bytes of whole lines (and of the event being encoded).
    var buffer = JSONBuffer()
    /// A descriptor per line in `buffer`; their ends are indices in it.
    var lines: [LineDescriptor] = []
    /// Bytes at the start that end at a transaction boundary.
    private(set) var boundaryCount = 0
    /// The lines in those bytes.
    private(set) var boundaryLineCount = 0

    /// Bytes waiting.
    var count: Int { buffer.bytes.count }

    /// Room for `bytes` bytes and `lines` lines without growing.
    mutating func reserve(bytes: Int, lines count: Int) {
        buffer.bytes.reserveCapacity(bytes)
        lines.reserveCapacity(count)
    }

    /// Appends lines written elsewhere (their descriptors' ends moved to where they now are).
    mutating func append(_ rows: EncodedRows) {
        let offset = buffer.bytes.count
        buffer.bytes.append(contentsOf: rows.bytes)
        for var line in rows.lines {
            line.end += offset
            lines.append(line)
        }
    }

    /// Everything waiting ends at a transaction boundary.
    mutating func markBoundary() {
        boundaryCount = buffer.bytes.count
        boundaryLineCount = lines.count
    }

    /// The first `count` bytes (whole lines) and their descriptors as a batch that resumes at `position`.
    func batch(upTo count: Int, position: LSN) -> SinkBatch {
        SinkBatch(
            lines: buffer.bytes[..<count], descriptors: lines[..<lineCount(upTo: count)], position: position,
            endsAtTransactionBoundary: count == boundaryCount)
    }

    /// Drops the first `count` bytes (handed over) and their lines; the rest moves to the front.
    mutating func drop(upTo count: Int) {
        let endsAtBoundary = count == boundaryCount
        let dropped = lineCount(upTo: count)
        if count == buffer.bytes.count {
            buffer.bytes.removeAll(keepingCapacity: true)
            lines.removeAll(keepingCapacity: true)
        } else {
            buffer.bytes.removeSubrange(0..<count)
            lines.removeSubrange(0..<dropped)
            for index in lines.indices { lines[index].end -= count }
        }
        boundaryCount = endsAtBoundary ? 0 : max(0, boundaryCount - count)
        boundaryLineCount = endsAtBoundary ? 0 : max(0, boundaryLineCount - dropped)
    }

    /// The lines in the first `count` bytes: all of them, those up to the boundary, or (any other
    /// line end) counted.
    private func lineCount(upTo count: Int) -> Int {
        if count == buffer.bytes.count { return lines.count }
        if count == boundaryCount { return boundaryLineCount }
        return lines.prefix { $0.end <= count }.count
    }
}
