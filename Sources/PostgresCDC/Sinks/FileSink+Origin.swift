#if canImport(Glibc)
import Glibc
#endif

/// The file sink resumes from its own last commit line, and an LSN means something only on the
/// cluster (and slot) it came from: a hidden file beside it, `.NAME.pgcdc-origin` (hidden, so that
/// `cat PATH.*` over the rotated files does not pick it up), records both, written once when streaming first
/// starts into PATH, and checked on every later start, so that a file is never continued from
/// another cluster's position (which would skip or repeat changes silently). It also keeps the
/// timeline of the server last streamed from, so that the failover gates apply to the file's
/// position as they do to a checkpoint (an old primary is skipped, a new one that never had the
/// file's last changes is refused).
extension FileSink {
    /// Where the origin is recorded.
    var originPath: String {
        let directory = FileIO.directory(of: configuration.path)
        return (directory == "." && !configuration.path.hasPrefix("./") ? "" : directory + "/") + "."
            + FileIO.fileName(of: configuration.path) + ".pgcdc-origin"
    }

    /// The slot, system identifier and timeline (`nil` in a record of an older pgcdc) recorded for
    /// the file; `nil` when none was recorded yet.
    public func recordedOrigin() throws(SinkError) -> SinkOrigin? {
        let descriptor = Glibc.open(originPath, O_RDONLY | O_CLOEXEC)
        if descriptor < 0 {
            if errno == ENOENT { return nil }
            throw SinkError(destination: originPath, operation: "read", errorNumber: errno)
        }
        defer { Glibc.close(descriptor) }
        var bytes = [UInt8](repeating: 0, count: 1024)
        let count = bytes.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
        guard count > 0 else { throw SinkError(destination: originPath, operation: "read", reason: "empty or unreadable") }
        var fields: [String: String] = [:]
        for line in String(decoding: bytes[0..<count], as: UTF8.self).split(separator: "\n") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            fields[String(line[..<equals])] = String(line[line.index(after: equals)...])
        }
        guard let slot = fields["slot"], let system = fields["system_identifier"] else {
            throw SinkError(
                destination: originPath, operation: "read", reason: "not a pgcdc origin record (slot=…, system_identifier=…)")
        }
        return SinkOrigin(slot: slot, systemIdentifier: system, timeline: fields["timeline"].flatMap { UInt32($0) }, location: originPath)
    }

    /// Records the origin durably if none is recorded yet, or the timeline moved on.
    public func recordOrigin(_ origin: SinkOrigin) throws(SinkError) {
        if let recorded = try recordedOrigin(), recorded.timeline == origin.timeline { return }
        let temporary = originPath + ".tmp"
        let descriptor: Int32
        switch FileIO.create(temporary, flags: O_WRONLY | O_TRUNC, mode: configuration.fileMode) {
        case let .success(opened): descriptor = opened
        case let .failure(failure): throw SinkError(destination: temporary, operation: "create", errorNumber: failure.errorNumber)
        }
        var error = FileIO.writeAll(
            descriptor,
            Array(
                "slot=\(origin.slot)\nsystem_identifier=\(origin.systemIdentifier)\ntimeline=\(origin.timeline.map(String.init) ?? "")\n"
                    .utf8)[...])
        if error == 0 { error = FileIO.sync(descriptor) }
        Glibc.close(descriptor)
        guard error == 0 else { throw SinkError(destination: temporary, operation: "write", errorNumber: error) }
        guard rename(temporary, originPath) == 0 else { throw SinkError(destination: originPath, operation: "rename", errorNumber: errno) }
        let synced = FileIO.syncDirectory(FileIO.directory(of: originPath))
        guard synced == 0 else { throw SinkError(destination: originPath, operation: "sync", errorNumber: synced) }
    }
}
