import PGOutput
import PostgresCDCBase

/// The pgoutput messages of one transaction that has not committed yet (a streamed, in-progress
/// transaction, or a prepared one being received), kept as the raw bytes the server sent: in
/// memory, and appended to a spill file whenever the owner asks it to ``spill()``. Replayed with a
/// ``Reader`` once it commits.
///
/// The spool decides what goes where; its only I/O is through its ``SpillFile`` (made by a
/// ``SpillStorage`` at the first spill): ``spill()``, ``discard(subtransaction:)`` of spilled
/// entries, ``forEachPiece(_:)`` and the ``Reader`` over spilled entries.
package final class TransactionSpool {
    /// Each entry is a UInt32 message length, the UInt32 xid of the (sub)transaction, the UInt64
    /// LSN the message arrived at, then the message.
    static let headerSize = 16
    /// Longest message accepted back from the file (pgoutput messages stay under 1 GB).
    static let maximumMessageLength = 1 << 30

    /// The top-level transaction.
    let xid: UInt32
    /// Entries not yet written to the file, in chunks of ``chunkCapacity`` bytes (a bigger message
    /// gets a chunk of its own), so that memory grows without the transient doubling of one array.
    private(set) var chunks: [[UInt8]] = []
    /// Bytes of entries in `chunks`.
    private(set) var memoryBytes = 0
    /// Capacity of `chunks`.
    private(set) var memoryCost = 0
    static let chunkCapacity = 1 << 20
    /// Bytes of entries in the file (they come before those in memory).
    private(set) var fileBytes = 0
    /// The file holding the spilled entries; `nil` until the first spill.
    private var file: (any SpillFile)?
    /// Where the entries start in the file (a prepared transaction's file has a header first).
    private var fileBase = 0
    /// Where the file comes from.
    private let storage: any SpillStorage
    /// Where each subtransaction's first entry starts, counted over file and memory.
    private var subtransactionStarts: [UInt32: Int] = [:]

    init(xid: UInt32, storage: any SpillStorage) {
        self.xid = xid
        self.storage = storage
    }

    /// A spool spilling to files in `spillDirectory`.
    convenience init(xid: UInt32, spillDirectory: String) {
        self.init(xid: xid, storage: FileSpillStorage(directory: spillDirectory))
    }

    /// A spool over entries already in a file: `length` bytes of them from offset `base`.
    /// The spool owns the file from now on.
    init(xid: UInt32, adopting file: any SpillFile, entriesAt base: Int, length: Int, storage: any SpillStorage) {
        self.xid = xid
        self.storage = storage
        self.file = file
        self.fileBase = base
        self.fileBytes = length
    }

    deinit { close() }

    /// Bytes of all entries.
    var totalBytes: Int { fileBytes + memoryBytes }
    /// Whether any entry was written to the file.
    var hasSpilled: Bool { file != nil }
    /// Where the spilled entries are, for error messages.
    var location: String { storage.location }

    /// Adds one message of the (sub)transaction `subtransaction`.
    func append(_ message: ArraySlice<UInt8>, subtransaction: UInt32, lsn: LSN) {
        if subtransactionStarts[subtransaction] == nil { subtransactionStarts[subtransaction] = totalBytes }
        appendEntry(message, subtransaction: subtransaction, lsn: lsn)
    }

    private func appendEntry(_ message: ArraySlice<UInt8>, subtransaction: UInt32, lsn: LSN) {
        let size = Self.headerSize + message.count
        if chunks.isEmpty || chunks[chunks.count - 1].capacity - chunks[chunks.count - 1].count < size {
            var chunk: [UInt8] = []
            chunk.reserveCapacity(max(size, Self.chunkCapacity))
            memoryCost += chunk.capacity
            chunks.append(chunk)
        }
        let last = chunks.count - 1
        BigEndian.append(UInt32(truncatingIfNeeded: message.count), to: &chunks[last])
        BigEndian.append(subtransaction, to: &chunks[last])
        BigEndian.append(lsn.value, to: &chunks[last])
        chunks[last].append(contentsOf: message)
        memoryBytes += size
    }

    /// The chunk holding memory offset `offset` (counted from the first chunk) and the offset in it.
    fileprivate func locate(_ offset: Int) -> (chunk: Int, index: Int)? {
        var start = 0
        for (number, chunk) in chunks.enumerated() {
            if offset < start + chunk.count { return (number, offset - start) }
            start += chunk.count
        }
        return nil
    }

    private func dropMemory() {
        chunks = []
        memoryBytes = 0
        memoryCost = 0
    }

    /// Moves the entries held in memory to the file and frees that memory.
    func spill() throws(ReplicationError) {
        guard memoryBytes > 0 else { return }
        let file: any SpillFile
        if let open = self.file {
            file = open
        } else {
            file = try storage.makeSpillFile(xid: xid)
            self.file = file
        }
        for chunk in chunks {
            try file.write(chunk[...], at: fileBase + fileBytes)
            fileBytes += chunk.count
        }
        dropMemory()
    }

    /// Drops the messages of an aborted subtransaction — and, as PostgreSQL's own apply worker does,
    /// everything after its first message (its nested subtransactions) — but keeps the Relation
    /// and Type messages among them: the server sends a relation once per streamed transaction.
    func discard(subtransaction: UInt32) throws(ReplicationError) {
        guard let start = subtransactionStarts[subtransaction] else { return }
        var kept: [(bytes: [UInt8], lsn: LSN)] = []
        var reader = Reader(self, from: start)
        while let entry = try reader.next() {
            if let tag = entry.message.first, tag == UInt8(ascii: "R") || tag == UInt8(ascii: "Y") {
                kept.append((Array(entry.message), entry.lsn))
            }
        }
        if start >= fileBytes {
            if let (number, index) = locate(start - fileBytes) {
                chunks[number].removeSubrange(index...)
                chunks.removeSubrange((number + 1)...)
                memoryBytes = chunks.reduce(0) { $0 + $1.count }
                memoryCost = chunks.reduce(0) { $0 + $1.capacity }
            }
        } else {
            try file?.truncate(to: fileBase + start)
            fileBytes = start
            dropMemory()
        }
        subtransactionStarts = subtransactionStarts.filter { $0.value < start }
        for entry in kept { appendEntry(entry.bytes[...], subtransaction: xid, lsn: entry.lsn) }
    }

    /// Hands every entry's bytes, in order and in the spool's own format, to `body`, in pieces of
    /// up to 1 MiB (to copy the spool into another file).
    func forEachPiece(_ body: (ArraySlice<UInt8>) throws(ReplicationError) -> Void) throws(ReplicationError) {
        var buffer: [UInt8] = []
        var offset = 0
        while offset < fileBytes {
            buffer.removeAll(keepingCapacity: true)
            let count = min(Self.chunkCapacity, fileBytes - offset)
            try read(into: &buffer, count: count, at: offset)
            try body(buffer[...])
            offset += count
        }
        for chunk in chunks { try body(chunk[...]) }
    }

    /// Closes (and so removes) the file.
    func close() {
        file?.close()
        file = nil
    }

    /// Reads `count` bytes of the spilled entries at `entryOffset`.
    fileprivate func read(into buffer: inout [UInt8], count: Int, at entryOffset: Int) throws(ReplicationError) {
        guard let file else {
            throw .spillFailed(directory: location, operation: "read", reason: "no file holds the entry at offset \(entryOffset)", xid: xid)
        }
        try file.read(into: &buffer, count: count, at: fileBase + entryOffset)
    }
}

extension TransactionSpool {
    /// Reads a spool's entries in order: the file in chunks, then memory.
    struct Reader {
        private let spool: TransactionSpool
        /// Offset, over file and memory, of the next entry.
        private var offset: Int
        private var chunk: [UInt8] = []
        /// Offset of `chunk`'s first byte.
        private var chunkStart = 0
        private static let chunkSize = 1 << 18
        /// The memory chunk being read and the memory offset of its start.
        private var memoryChunk = 0
        private var memoryChunkStart = 0

        package init(_ spool: TransactionSpool, from offset: Int = 0) {
            self.spool = spool
            self.offset = offset
        }

        /// The next message, or `nil` after the last.
        package mutating func next() throws(ReplicationError) -> (message: ArraySlice<UInt8>, subtransaction: UInt32, lsn: LSN)? {
            guard offset < spool.totalBytes else { return nil }
            let header = try bytes(offset, count: TransactionSpool.headerSize)
            let length = Int(BigEndian.read(UInt32.self, header, at: 0))
            let subtransaction = BigEndian.read(UInt32.self, header, at: 4)
            let lsn = LSN(BigEndian.read(UInt64.self, header, at: 8))
            guard length <= TransactionSpool.maximumMessageLength,
                offset + TransactionSpool.headerSize + length <= spool.totalBytes
            else {
                throw damaged(offset)
            }
            let message = try bytes(offset + TransactionSpool.headerSize, count: length)
            offset += TransactionSpool.headerSize + length
            return (message, subtransaction, lsn)
        }

        /// `count` bytes at `position`, from memory or from the file (through `chunk`).
        private mutating func bytes(_ position: Int, count: Int) throws(ReplicationError) -> ArraySlice<UInt8> {
            let fileBytes = spool.fileBytes
            if position >= fileBytes {
                var start = position - fileBytes
                if memoryChunk >= spool.chunks.count || start < memoryChunkStart
                    || start >= memoryChunkStart + spool.chunks[memoryChunk].count
                {
                    guard let (number, index) = spool.locate(start) else { throw damaged(position) }
                    memoryChunk = number
                    memoryChunkStart = start - index
                }
                start -= memoryChunkStart
                let bytes = spool.chunks[memoryChunk]
                guard start + count <= bytes.count else { throw damaged(position) }
                return bytes[start..<(start + count)]
            }
            if position >= chunkStart, position + count <= chunkStart + chunk.count {
                return chunk[(position - chunkStart)..<(position - chunkStart + count)]
            }
            // Entries never straddle file and memory: spill moves whole entries.
            chunk.removeAll(keepingCapacity: true)
            chunkStart = position
            try spool.read(into: &chunk, count: min(max(count, Self.chunkSize), fileBytes - position), at: position)
            guard chunk.count >= count else { throw damaged(position) }
            return chunk[0..<count]
        }

        private func damaged(_ position: Int) -> ReplicationError {
            .spillFailed(directory: spool.location, operation: "read", reason: "the entry at offset \(position) is damaged", xid: spool.xid)
        }
    }
}
