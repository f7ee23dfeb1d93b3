#if canImport(Glibc)
import Glibc
#endif
import Foundation
import PGOutput

/// Keeps a ``Checkpoint`` in a small JSON file, replaced atomically: written to a temporary file,
/// `fsync`ed, renamed over the old one, and the directory `fsync`ed. A crash at any moment leaves
/// either the old or the new checkpoint, never a mix.
public struct FileCheckpointStore: Sendable {
    /// The checkpoint file.
    public let path: String

    /// A store at `path` (its directory must exist and be writable).
    public init(path: String) {
        self.path = path
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
              let timeline = (object["timeline"] as? NSNumber)?.uint32Value
        else {
            throw CheckpointError(path: path, reason: "is not a pgcdc checkpoint (needs lsn, slot, system_identifier, timeline)")
        }
        return Checkpoint(lsn: lsn, slot: slot, systemIdentifier: system, timeline: timeline)
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
        var json = JSONBuffer()
        json.appendRaw("{\"lsn\":")
        json.appendLSN(checkpoint.lsn)
        json.appendRaw(",\"slot\":")
        json.appendString(checkpoint.slot)
        json.appendRaw(",\"system_identifier\":")
        json.appendString(checkpoint.systemIdentifier)
        json.appendRaw(",\"timeline\":")
        json.appendUInt(UInt64(checkpoint.timeline))
        json.appendRaw("}\n")

        let temporary = path + ".tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw failure("cannot create \(temporary)", errno) }
        var error = FileIO.writeAll(descriptor, json.bytes[...])
        if error == 0 { error = FileIO.sync(descriptor) }
        close(descriptor)
        if error != 0 {
            unlink(temporary)
            throw failure("cannot write \(temporary)", error)
        }
        guard rename(temporary, path) == 0 else {
            let renameError = errno
            unlink(temporary)
            throw failure("cannot rename \(temporary) into place", renameError)
        }
        let syncError = FileIO.syncDirectory(FileIO.directory(of: path))
        if syncError != 0 { throw failure("cannot fsync its directory", syncError) }
    }

    private func failure(_ what: String, _ errorNumber: Int32) -> CheckpointError {
        CheckpointError(path: path, reason: "\(what): \(String(cString: strerror(errorNumber)))")
    }
}
