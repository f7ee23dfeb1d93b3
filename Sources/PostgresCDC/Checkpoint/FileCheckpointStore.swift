#if canImport(Glibc)
import Glibc
#endif
import Foundation
import PGOutput

/// Keeps a ``Checkpoint`` in a small JSON file.
///
/// ``save(_:)`` replaces it atomically and durably: written to a temporary file, `fsync`ed,
/// renamed over the old one, and the directory `fsync`ed — a crash at any moment leaves the old or
/// the new checkpoint, never a mix. Every record carries a check over its fields, so a record that
/// a power loss tore while ``CheckpointRecorder`` overwrote it in place is refused, not trusted.
public struct FileCheckpointStore: Sendable {
    /// The checkpoint file.
    public let path: String
    /// The mode the checkpoint file is given each time it is written (default `0600`).
    public let fileMode: FileMode

    /// A store at `path` (its directory must exist and be writable), its file created with `fileMode`.
    public init(path: String, fileMode: FileMode = .ownerReadWrite) {
        self.path = path
        self.fileMode = fileMode
    }

    /// The stored checkpoint, or `nil` when the file does not exist yet.
    public func load() throws(CheckpointError) -> Checkpoint? {
        guard let data = FileManager.default.contents(atPath: path) else {
            if access(path, F_OK) != 0 && errno == ENOENT { return nil }
            throw CheckpointError(path: path, reason: "cannot be read: \(String(cString: strerror(errno)))")
        }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw CheckpointError(path: path, reason: "is not a pgcdc checkpoint (not a JSON object)")
        }
        guard let lsnText = object["lsn"] as? String, let lsn = LSN(lsnText),
            let slot = object["slot"] as? String,
            let system = object["system_identifier"] as? String,
            let timeline = (object["timeline"] as? NSNumber)?.uint32Value,
            let check = object["check"] as? String
        else {
            throw CheckpointError(path: path, reason: "is not a pgcdc checkpoint (needs lsn, slot, system_identifier, timeline, check)")
        }
        let checkpoint = Checkpoint(lsn: lsn, slot: slot, systemIdentifier: system, timeline: timeline)
        guard check == Self.check(checkpoint) else {
            throw CheckpointError(
                path: path,
                reason:
                    "is damaged (its check does not match its fields; torn by a power loss?). Delete it to resume from the slot's "
                    + "confirmed position, which is never ahead of what was written"
            )
        }
        return checkpoint
    }

    /// Checks that the directory exists and a file can be created there, before streaming starts.
    public func checkWritable() throws(CheckpointError) {
        let directory = FileIO.directory(of: path)
        var info = stat()
        guard stat(directory, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else {
            throw CheckpointError(path: path, reason: "directory \(directory) does not exist")
        }
        guard access(directory, W_OK) == 0 else {
            throw CheckpointError(path: path, reason: "directory \(directory) is not writable: \(String(cString: strerror(errno)))")
        }
    }

    /// Replaces the stored checkpoint with `checkpoint`, durably.
    public func save(_ checkpoint: Checkpoint) throws(CheckpointError) {
        let record = Self.record(checkpoint, size: Self.minimumRecordSize)
        close(try replace(with: record))
    }

    // MARK: - Records

    /// Records are padded with spaces to a fixed size, so one overwrites another completely.
    static let minimumRecordSize = 256

    /// The JSON record of `checkpoint`, padded to at least `size` bytes (a multiple of 64) and ending in a newline.
    static func record(_ checkpoint: Checkpoint, size: Int) -> [UInt8] {
        // The checkpoint's own JSON (its description), with the check added as a last field.
        var json = JSONBuffer()
        json.appendRaw(Array(checkpoint.description.utf8.dropLast()))
        json.appendRaw(",\"check\":")
        json.appendString(check(checkpoint))
        json.appendRaw("}")
        let needed = (json.bytes.count + 1 + 63) / 64 * 64
        var bytes = json.bytes
        bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: max(size, needed) - bytes.count - 1))
        bytes.append(UInt8(ascii: "\n"))
        return bytes
    }

    /// FNV-1a over the fields, as 16 hex digits: catches a record torn between two versions.
    static func check(_ checkpoint: Checkpoint) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in "\(checkpoint.lsn)|\(checkpoint.slot)|\(checkpoint.systemIdentifier)|\(checkpoint.timeline)".utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// Writes `record` to a temporary file, syncs it, renames it over the checkpoint and syncs the
    /// directory. Returns the open descriptor of the new checkpoint file.
    func replace(with record: [UInt8]) throws(CheckpointError) -> Int32 {
        let temporary = path + ".tmp"
        let descriptor: Int32
        switch FileIO.create(temporary, flags: O_RDWR | O_TRUNC, mode: fileMode) {
        case let .success(opened): descriptor = opened
        case let .failure(failure): throw self.failure("cannot create \(temporary)", failure.errorNumber)
        }
        var error = FileIO.writeAll(descriptor, record[...])
        if error == 0 { error = FileIO.sync(descriptor) }
        if error != 0 {
            close(descriptor)
            unlink(temporary)
            throw failure("cannot write \(temporary)", error)
        }
        guard rename(temporary, path) == 0 else {
            let renameError = errno
            close(descriptor)
            unlink(temporary)
            throw failure("cannot rename \(temporary) into place", renameError)
        }
        let syncError = FileIO.syncDirectory(FileIO.directory(of: path))
        if syncError != 0 {
            close(descriptor)
            throw failure("cannot fsync its directory", syncError)
        }
        return descriptor
    }

    func failure(_ what: String, _ errorNumber: Int32) -> CheckpointError {
        CheckpointError(path: path, reason: "\(what): \(String(cString: strerror(errorNumber)))")
    }
}
