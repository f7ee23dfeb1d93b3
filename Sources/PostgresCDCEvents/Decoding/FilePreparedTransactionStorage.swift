#if canImport(Glibc)
import Glibc
#endif
import PGOutput
import PostgresCDCBase

/// Prepared transactions in a directory beside the checkpoint, one file each: all the file I/O of
/// two-phase decoding happens here.
///
/// A file is written to a temporary name, fsynced and renamed (and the directory fsynced) before
/// ``save(_:messagesCarryXid:entries:)`` returns. Spill files of a transaction being received are
/// created in the same directory (and at once unlinked).
final class FilePreparedTransactionStorage: PreparedTransactionStorage {
    static let magic = Array("PGCDC2PC".utf8)
    static let version: UInt32 = 1

    /// The directory holding the files.
    package let directory: String
    private let spills: FileSpillStorage
    /// The file of each transaction kept.
    private var paths: [PreparedTransactionStore.Entry: String] = [:]

    /// Opens the directory, creating it when missing.
    package init(directory: String) throws(ReplicationError) {
        self.directory = directory
        self.spills = FileSpillStorage(directory: directory)
        let failure = FileIO.makeDirectory(directory)
        if failure != 0 && failure != EEXIST {
            throw .storageFailed(path: directory, operation: "create", reason: String(cString: strerror(failure)))
        }
    }

    package var location: String { directory }

    package func makeSpillFile(xid: UInt32) throws(ReplicationError) -> any SpillFile {
        try spills.makeSpillFile(xid: xid)
    }

    /// Reads the header of every file in the directory (and removes temporary files a crash left).
    package func list() throws(ReplicationError) -> [PreparedTransactionStore.Entry] {
        guard let listing = opendir(directory) else {
            throw .storageFailed(path: directory, operation: "list", reason: String(cString: strerror(errno)))
        }
        defer { closedir(listing) }
        var found: [PreparedTransactionStore.Entry] = []
        while let item = readdir(listing) {
            let name = withUnsafeBytes(of: item.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name.hasSuffix(".prepared.tmp") {
                unlink(directory + "/" + name)
            } else if name.hasSuffix(".prepared") {
                let path = directory + "/" + name
                let entry = try Self.readHeader(path).entry
                paths[entry] = path
                found.append(entry)
            }
        }
        return found
    }

    package func save(_ info: PrepareInfo, messagesCarryXid: Bool, entries spool: TransactionSpool) throws(ReplicationError) {
        let path = directory + "/\(info.xid)-\(Self.hash(info.gid)).prepared"
        let temporary = path + ".tmp"
        // Internal state in a 0700 directory: always 0600, whatever the output files' mode.
        let descriptor: Int32
        switch FileIO.create(temporary, flags: O_WRONLY | O_TRUNC, mode: .ownerReadWrite) {
        case let .success(opened): descriptor = opened
        case let .failure(failure): throw self.failure("create", info.xid, errorNumber: failure.errorNumber)
        }
        var header = Self.magic
        BigEndian.append(Self.version, to: &header)
        BigEndian.append(UInt32(messagesCarryXid ? 1 : 0), to: &header)
        BigEndian.append(info.xid, to: &header)
        BigEndian.append(info.prepareLSN.value, to: &header)
        BigEndian.append(info.endLSN.value, to: &header)
        BigEndian.append(UInt64(bitPattern: info.prepareTime.unixMicroseconds), to: &header)
        BigEndian.append(UInt32(info.gid.utf8.count), to: &header)
        header.append(contentsOf: info.gid.utf8)
        var error = FileIO.writeAll(descriptor, header[...])
        if error == 0 {
            try spool.forEachPiece { piece throws(ReplicationError) in
                if error == 0 { error = FileIO.writeAll(descriptor, piece) }
            }
        }
        if error == 0 { error = FileIO.sync(descriptor) }
        close(descriptor)
        guard error == 0 else {
            unlink(temporary)
            throw failure("write to", info.xid, errorNumber: error)
        }
        guard rename(temporary, path) == 0 else { throw failure("rename", info.xid) }
        let synced = FileIO.syncDirectory(directory)
        guard synced == 0 else { throw failure("sync", info.xid, errorNumber: synced) }
        let entry = PreparedTransactionStore.Entry(
            xid: info.xid, gid: info.gid, prepareLSN: info.prepareLSN, endLSN: info.endLSN, messagesCarryXid: messagesCarryXid
        )
        paths[entry] = path
    }

    package func open(_ entry: PreparedTransactionStore.Entry) throws(ReplicationError) -> (file: any SpillFile, offset: Int, length: Int) {
        let path = paths[entry] ?? directory + "/\(entry.xid)-\(Self.hash(entry.gid)).prepared"
        let (_, headerLength) = try Self.readHeader(path)
        let descriptor = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw failure("open", entry.xid) }
        guard case let .success(size) = FileIO.size(descriptor) else {
            close(descriptor)
            throw failure("read", entry.xid)
        }
        return (DescriptorSpillFile(descriptor: descriptor, directory: directory, xid: entry.xid), headerLength, size - headerLength)
    }

    package func delete(_ entry: PreparedTransactionStore.Entry) {
        guard let path = paths.removeValue(forKey: entry) else { return }
        unlink(path)
    }

    // MARK: - Format

    /// A file's header: magic, version, flags (1: messages carry xids), xid, prepare LSN, end LSN,
    /// prepare time, gid length and gid.
    private static func readHeader(_ path: String) throws(ReplicationError) -> (entry: PreparedTransactionStore.Entry, length: Int) {
        let descriptor = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw .storageFailed(path: path, operation: "open", reason: String(cString: strerror(errno)))
        }
        defer { close(descriptor) }
        var bytes = [UInt8](repeating: 0, count: 4096)
        let count = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
        let damaged = ReplicationError.storageFailed(
            path: path, operation: "read", reason: "not a prepared-transaction file of pgcdc (damaged header)"
        )
        guard count >= 48, Array(bytes[0..<8]) == magic, BigEndian.read(UInt32.self, bytes[...], at: 8) == version else { throw damaged }
        let gidLength = Int(BigEndian.read(UInt32.self, bytes[...], at: 44))
        guard gidLength <= 200, 48 + gidLength <= count else { throw damaged }
        let entry = PreparedTransactionStore.Entry(
            xid: BigEndian.read(UInt32.self, bytes[...], at: 16), gid: String(decoding: bytes[48..<(48 + gidLength)], as: UTF8.self),
            prepareLSN: LSN(BigEndian.read(UInt64.self, bytes[...], at: 20)), endLSN: LSN(BigEndian.read(UInt64.self, bytes[...], at: 28)),
            messagesCarryXid: BigEndian.read(UInt32.self, bytes[...], at: 12) & 1 == 1
        )
        return (entry, 48 + gidLength)
    }

    private func failure(_ operation: String, _ xid: UInt32, errorNumber: Int32 = errno) -> ReplicationError {
        .spillFailed(directory: directory, operation: operation, reason: String(cString: strerror(errorNumber)), xid: xid)
    }

    /// FNV-1a of the gid, in hex: file names stay short whatever the gid (up to 200 bytes).
    private static func hash(_ gid: String) -> String {
        var value: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in gid.utf8 { value = (value ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return String(value, radix: 16)
    }
}
