import PostgresCDCBase
/// Spill "files" kept in memory: for tests (and the fuzzer), which count the spills instead of
/// looking at a directory. No I/O.
final class MemorySpillStorage: SpillStorage {
    /// How many spill files were made.
    private(set) var filesMade = 0
    /// How many writes reached a file (one per memory chunk spilled).
    package private(set) var writes = 0
    /// Bytes written to files.
    private(set) var bytesWritten = 0

    package init() {}

    package var location: String { "memory" }

    package func makeSpillFile(xid: UInt32) throws(ReplicationError) -> any SpillFile {
        filesMade += 1
        return MemorySpillFile(storage: self, xid: xid)
    }

    fileprivate func noteWrite(_ count: Int) {
        writes += 1
        bytesWritten += count
    }
}

/// The bytes of one spill file, in memory.
final class MemorySpillFile: SpillFile {
    /// The file's contents.
    package private(set) var bytes: [UInt8]
    private weak var storage: MemorySpillStorage?
    private let xid: UInt32

    fileprivate init(storage: MemorySpillStorage?, xid: UInt32, bytes: [UInt8] = []) {
        self.storage = storage
        self.xid = xid
        self.bytes = bytes
    }

    /// A file holding `bytes` already.
    package convenience init(xid: UInt32, bytes: [UInt8]) {
        self.init(storage: nil, xid: xid, bytes: bytes)
    }

    package func write(_ data: ArraySlice<UInt8>, at offset: Int) throws(ReplicationError) {
        guard offset >= 0, offset <= bytes.count else { throw failure("write to", "offset \(offset) past the end") }
        let overlap = min(data.count, bytes.count - offset)
        bytes.replaceSubrange(offset..<(offset + overlap), with: data)
        storage?.noteWrite(data.count)
    }

    package func read(into buffer: inout [UInt8], count: Int, at offset: Int) throws(ReplicationError) {
        guard offset >= 0, count >= 0, offset + count <= bytes.count else { throw failure("read", "offset \(offset) past the end") }
        buffer.append(contentsOf: bytes[offset..<(offset + count)])
    }

    package func truncate(to length: Int) throws(ReplicationError) {
        guard length >= 0, length <= bytes.count else { throw failure("truncate", "length \(length) past the end") }
        bytes.removeSubrange(length...)
    }

    package func close() {
        bytes = []
    }

    private func failure(_ operation: String, _ reason: String) -> ReplicationError {
        .spillFailed(directory: "memory", operation: operation, reason: reason, xid: xid)
    }
}
