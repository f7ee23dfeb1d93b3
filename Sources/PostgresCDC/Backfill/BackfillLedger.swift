#if canImport(Glibc)
import Glibc
#endif
import Foundation
import PGOutput

/// Where a stream keeps its ``BackfillState``, position by position, so that a restart resumes each
/// backfill exactly after the last chunk the sink stored — no chunk lost, none stored twice.
///
/// Each state is recorded with the end LSN of the transaction that produced it (a request, a
/// chunk's high watermark), appended and `fsync`ed *before* that transaction reaches the sink
/// (write-ahead). On a restart from position P (the checkpoint's, the output file's), the state is
/// the last one recorded at or before P: states past P belong to transactions the sink never
/// stored, which the restarted stream reads again. The file (`CHECKPOINT.backfills`, or
/// `.NAME.pgcdc-backfills` beside an output file) is JSON lines; without a file the ledger lives in
/// memory and survives reconnects but not a restart of the process.
///
/// Used by one stream thread at a time (the session that owns it, one after the other).
package final class BackfillLedger: @unchecked Sendable {
    /// The file, or `nil` for a ledger in memory.
    package let path: String?
    private let fileMode: FileMode
    private var entries: [(lsn: LSN, state: BackfillState)] = []
    private var descriptor: Int32 = -1

    /// A ledger in `path` (read now, created on the first record), or in memory.
    package init(path: String?, fileMode: FileMode = .ownerReadWrite) throws(ReplicationError) {
        self.path = path
        self.fileMode = fileMode
        guard let path else { return }
        guard let data = FileManager.default.contents(atPath: path) else {
            if FileManager.default.fileExists(atPath: path) {
                throw .backfillStateFailed(path: path, operation: "read", reason: "cannot read the backfill ledger")
            }
            return
        }
        let decoder = JSONDecoder()
        for line in data.split(separator: UInt8(ascii: "\n")) {
            // A torn last line (a crash while appending) is dropped; its transaction was never stored.
            guard let entry = try? decoder.decode(Entry.self, from: Data(line)), let lsn = LSN(entry.lsn) else { continue }
            entries.append((lsn, entry.state))
        }
    }

    deinit {
        if descriptor >= 0 { Glibc.close(descriptor) }
    }

    private struct Entry: Codable {
        var lsn: String
        var state: BackfillState
    }

    /// Where `pgcdc stream` keeps the ledger: `CHECKPOINT.backfills` beside a checkpoint, else
    /// `.NAME.pgcdc-backfills` beside an output file (hidden, like its origin record); `nil` for neither.
    package static func defaultPath(checkpoint: String?, outputFile: String?) -> String? {
        if let checkpoint { return checkpoint + ".backfills" }
        guard let outputFile else { return nil }
        let directory = FileIO.directory(of: outputFile)
        return (directory == "." && !outputFile.hasPrefix("./") ? "" : directory + "/") + "." + FileIO.fileName(of: outputFile)
            + ".pgcdc-backfills"
    }

    /// The latest state recorded, stored or not (what `pgcdc backfill --list` shows).
    var latest: BackfillState { entries.last?.state ?? BackfillState() }

    /// The state as of `position`, forgetting every state recorded after it (their transactions
    /// are read again); the file is rewritten to match.
    package func resume(at position: LSN) throws(ReplicationError) -> BackfillState {
        let kept = entries.lastIndex { $0.lsn <= position }
        let state = kept.map { entries[$0].state } ?? BackfillState()
        let newEntries = kept.map { [entries[$0]] } ?? []
        if newEntries.count != entries.count || newEntries.first?.lsn != entries.first?.lsn {
            entries = newEntries
            try rewrite()
        }
        return state
    }

    /// Records `state` as the state after the transaction that ends at `lsn`, durably.
    package func record(_ state: BackfillState, at lsn: LSN) throws(ReplicationError) {
        if let last = entries.last, last.state == state { return }
        entries.append((lsn, state))
        guard let path else {
            if entries.count > 1024 { entries.removeFirst(entries.count - 1024) }
            return
        }
        if entries.count > 1024 {
            // Keep the recent past: a sink's durable position trails what was handed out by a few batches.
            entries.removeFirst(entries.count - 256)
            try rewrite()
            return
        }
        if descriptor < 0 { try openForAppending(path) }
        let bytes = Self.line(lsn: lsn, state: state)
        var error = FileIO.writeAll(descriptor, bytes[...])
        if error == 0 { error = FileIO.sync(descriptor) }
        guard error == 0 else { throw .backfillStateFailed(path: path, operation: "write", reason: String(cString: strerror(error))) }
    }

    private static func line(lsn: LSN, state: BackfillState) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let data = (try? encoder.encode(Entry(lsn: lsn.description, state: state))) ?? Data("{}".utf8)
        return Array(data) + [UInt8(ascii: "\n")]
    }

    private func openForAppending(_ path: String) throws(ReplicationError) {
        switch FileIO.openOrCreate(path, flags: O_WRONLY | O_APPEND, mode: fileMode) {
        case let .success(opened): descriptor = opened
        case let .failure(failure):
            throw .backfillStateFailed(path: path, operation: "open", reason: String(cString: strerror(failure.errorNumber)))
        }
    }

    /// Replaces the file with the entries kept (temporary file, `fsync`, rename, `fsync` of the directory).
    private func rewrite() throws(ReplicationError) {
        guard let path else { return }
        if descriptor >= 0 {
            Glibc.close(descriptor)
            descriptor = -1
        }
        let temporary = path + ".tmp"
        let created: Int32
        switch FileIO.create(temporary, flags: O_WRONLY | O_TRUNC, mode: fileMode) {
        case let .success(opened): created = opened
        case let .failure(failure):
            throw .backfillStateFailed(path: temporary, operation: "create", reason: String(cString: strerror(failure.errorNumber)))
        }
        var bytes: [UInt8] = []
        for entry in entries { bytes += Self.line(lsn: entry.lsn, state: entry.state) }
        var error = FileIO.writeAll(created, bytes[...])
        if error == 0 { error = FileIO.sync(created) }
        Glibc.close(created)
        guard error == 0 else { throw .backfillStateFailed(path: temporary, operation: "write", reason: String(cString: strerror(error))) }
        guard rename(temporary, path) == 0 else {
            throw .backfillStateFailed(path: path, operation: "rename", reason: String(cString: strerror(errno)))
        }
        let synced = FileIO.syncDirectory(FileIO.directory(of: path))
        guard synced == 0 else { throw .backfillStateFailed(path: path, operation: "sync", reason: String(cString: strerror(synced))) }
    }
}
