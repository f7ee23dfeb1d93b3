#if canImport(Glibc)
import Glibc
#endif
import PGOutput

/// Prepared transactions (two-phase decoding) that wait for COMMIT PREPARED or ROLLBACK PREPARED,
/// one file each in a directory beside the checkpoint. Once pgcdc has confirmed a PREPARE, the
/// server never sends its changes again — only the COMMIT PREPARED — so they must survive a restart.
///
/// A file is written to a temporary name, fsynced and renamed before the PREPARE's position can be
/// confirmed; it is removed only once the position after its COMMIT or ROLLBACK PREPARED is
/// confirmed, so a crash in between finds it again when the server repeats the decision.
package final class PreparedTransactionStore {
    /// One prepared transaction on disk.
    package struct Entry: Sendable {
        package let xid: UInt32
        package let gid: String
        package let prepareLSN: LSN
        package let endLSN: LSN
        package let path: String
        /// The changes came streamed (Stream Prepare): each message carries its xid.
        package let messagesCarryXid: Bool
    }

    static let magic = Array("PGCDC2PC".utf8)
    static let version: UInt32 = 1

    /// The directory holding the files.
    package let directory: String
    /// Prepared transactions on disk, by gid.
    package private(set) var entries: [String: Entry] = [:]
    private var removals: [(lsn: LSN, gid: String, path: String)] = []

    /// Opens (creating it when missing) the directory and reads the header of every file in it.
    package init(directory: String) throws(ReplicationError) {
        self.directory = directory
        if mkdir(directory, 0o700) != 0 && errno != EEXIST {
            throw .spillFailed(directory: directory, operation: "create", reason: String(cString: strerror(errno)), xid: 0)
        }
        guard let listing = opendir(directory) else {
            throw .spillFailed(directory: directory, operation: "list", reason: String(cString: strerror(errno)), xid: 0)
        }
        defer { closedir(listing) }
        while let item = readdir(listing) {
            let name = withUnsafeBytes(of: item.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name.hasSuffix(".prepared.tmp") {
                unlink(directory + "/" + name)
            } else if name.hasSuffix(".prepared") {
                let entry = try Self.readHeader(directory + "/" + name).entry
                entries[entry.gid] = entry
            }
        }
    }

    /// Writes a prepared transaction's changes durably.
    package func save(_ spool: TransactionSpool, _ info: PrepareInfo, messagesCarryXid: Bool) throws(ReplicationError) {
        let path = directory + "/\(info.xid)-\(Self.hash(info.gid)).prepared"
        let temporary = path + ".tmp"
        let descriptor = Glibc.open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw failure("create", info.xid) }
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
        entries[info.gid] = Entry(xid: info.xid, gid: info.gid, prepareLSN: info.prepareLSN, endLSN: info.endLSN, path: path, messagesCarryXid: messagesCarryXid)
    }

    /// The changes of the prepared transaction `gid`, to replay; `nil` when there is no file for it.
    package func open(gid: String) throws(ReplicationError) -> (spool: TransactionSpool, messagesCarryXid: Bool)? {
        guard let entry = entries[gid] else { return nil }
        let (_, headerLength) = try Self.readHeader(entry.path)
        let descriptor = Glibc.open(entry.path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw failure("open", entry.xid) }
        guard case let .success(size) = FileIO.size(descriptor) else {
            close(descriptor)
            throw failure("read", entry.xid)
        }
        let spool = TransactionSpool(xid: entry.xid, adopting: descriptor, entriesAt: headerLength, length: size - headerLength, directory: directory)
        return (spool, entry.messagesCarryXid)
    }

    /// Removes the file of `gid` once the position `lsn` (after its COMMIT or ROLLBACK PREPARED) is confirmed.
    package func remove(gid: String, once lsn: LSN) {
        guard let entry = entries[gid] else { return }
        removals.append((lsn, gid, entry.path))
    }

    /// Everything up to `lsn` is stored: removes the files of transactions decided by then.
    package func confirmed(through lsn: LSN) {
        guard removals.contains(where: { $0.lsn <= lsn }) else { return }
        for removal in removals where removal.lsn <= lsn {
            unlink(removal.path)
            entries[removal.gid] = nil
        }
        removals.removeAll { $0.lsn <= lsn }
    }

    // MARK: - Format

    /// A file's header: magic, version, flags (1: messages carry xids), xid, prepare LSN, end LSN,
    /// prepare time, gid length and gid.
    private static func readHeader(_ path: String) throws(ReplicationError) -> (entry: Entry, length: Int) {
        let descriptor = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw .spillFailed(directory: path, operation: "open", reason: String(cString: strerror(errno)), xid: 0)
        }
        defer { close(descriptor) }
        var bytes = [UInt8](repeating: 0, count: 4096)
        let count = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
        let damaged = ReplicationError.spillFailed(directory: path, operation: "read", reason: "not a prepared-transaction file of pgcdc (damaged header)", xid: 0)
        guard count >= 48, Array(bytes[0..<8]) == magic, BigEndian.read(UInt32.self, bytes[...], at: 8) == version else { throw damaged }
        let gidLength = Int(BigEndian.read(UInt32.self, bytes[...], at: 44))
        guard gidLength <= 200, 48 + gidLength <= count else { throw damaged }
        let entry = Entry(
            xid: BigEndian.read(UInt32.self, bytes[...], at: 16), gid: String(decoding: bytes[48..<(48 + gidLength)], as: UTF8.self),
            prepareLSN: LSN(BigEndian.read(UInt64.self, bytes[...], at: 20)), endLSN: LSN(BigEndian.read(UInt64.self, bytes[...], at: 28)), path: path,
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
