#if canImport(Glibc)
import Glibc
#endif
import Foundation
import PGOutput

/// A sink that appends JSON lines to a file and is its own checkpoint: exactly-once.
///
/// Every transaction it stores ends with a line that marks its end and carries its end LSN: a
/// `commit` line, or in Debezium format a transaction END record (see `FileSinkRecovery`). On
/// ``open()`` it reads the end of its file, cuts off what a crash left after the last complete
/// transaction (a torn line, rows without their end line), and returns that transaction's end LSN,
/// so streaming resumes right after it: however the previous run ended, the file holds every
/// transaction once, in order.
///
/// Batches are `fsync`ed by ``flush(force:)``, at most every `fsyncInterval` seconds unless
/// forced. With `rotateSize`, the file is renamed to `PATH.000001`, `PATH.000002`, … once it
/// reaches that size at a transaction boundary, and a new `PATH` is started. An exclusive lock
/// keeps a second pgcdc from appending to the same file.
public final class FileSink: ChangeSink {
    /// What to write and how often to sync and rotate.
    public struct Configuration: Sendable {
        /// The file to append to; its directory must exist.
        public var path: String
        /// Minimum seconds between two `fsync`s when not forced; 0 syncs every batch.
        public var fsyncInterval: Double = 0
        /// Rotate once the file reaches this many bytes (at a transaction boundary); `nil` never.
        public var rotateSize: Int?
        /// The mode of the files the sink creates: the output file, its rotations and the origin
        /// record (default `0600`). A file that already exists keeps its mode.
        public var fileMode: FileMode = .ownerReadWrite
        /// Tells when `fsyncInterval` has passed (the system's monotonic clock by default).
        public var timeSource: any TimeSource = .system

        /// A configuration for `path` with the defaults: sync every batch, never rotate.
        public init(path: String) {
            self.path = path
        }
    }

    /// The configuration.
    public let configuration: Configuration
    /// Bytes cut off the end of the file by ``open()`` (what a crash left after the last complete transaction).
    public private(set) var recoveredBytesDropped = 0

    private var descriptor: Int32 = -1
    private var size = 0
    private var rotation = 0
    private var written: LSN = .zero
    private var durable: LSN = .zero
    private var dirty = false
    private var lastSync: UInt64 = 0

    /// A file sink; nothing is opened until ``open()``.
    public init(configuration: Configuration) {
        self.configuration = configuration
    }

    deinit {
        if descriptor >= 0 { Glibc.close(descriptor) }
    }

    /// `true`: the commit lines (Debezium: END records) mark complete transactions in the file.
    public var needsCommitLines: Bool { true }

    /// `true`: the file is its own checkpoint.
    public var keepsOwnPosition: Bool { true }

    private var path: String { configuration.path }

    /// Opens and locks the file, cuts what a crash left after the last complete transaction, and returns that transaction's end LSN.
    public func open() throws(SinkError) -> LSN? {
        let directory = FileIO.directory(of: path)
        var info = stat()
        guard stat(directory, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else {
            throw SinkError(destination: path, operation: "open", reason: "directory \(directory) does not exist")
        }
        rotation = try rotatedIndices().max() ?? 0
        descriptor = try openAppending(path, exclusive: false)
        try lock(descriptor)
        let fileSize: Int
        switch FileIO.size(descriptor) {
        case let .success(value): fileSize = value
        case let .failure(failure): throw SinkError(destination: path, operation: "stat", errorNumber: failure.errorNumber)
        }
        if fileSize == 0 {
            // A new file: make its directory entry durable before anything is reported durable in it.
            let failure = FileIO.syncDirectory(directory)
            if failure != 0 { throw SinkError(destination: directory, operation: "fsync the directory", errorNumber: failure) }
        }
        let recovered = try FileSinkRecovery(descriptor: descriptor, path: path).scan(size: fileSize)
        if recovered.completeLength < fileSize, try recordedOrigin() == nil {
            // pgcdc records the origin before it writes a byte: without one, the bytes are someone else's.
            throw SinkError(
                destination: path, operation: "resume from",
                reason: "its last \(fileSize - recovered.completeLength) bytes are not a pgcdc transaction and there is no origin record "
                    + "(\(originPath)): pgcdc did not write them, and cuts nothing it did not write; write somewhere else")
        }
        if recovered.completeLength < fileSize {
            guard ftruncate(descriptor, off_t(recovered.completeLength)) == 0 else {
                throw SinkError(destination: path, operation: "cut the incomplete end of", errorNumber: errno)
            }
            try sync(path)
            recoveredBytesDropped = fileSize - recovered.completeLength
        }
        size = recovered.completeLength
        var position = recovered.position
        if position == nil && size == 0 && rotation > 0 {
            // Just rotated: the newest rotated file ends with the last complete transaction.
            position = try positionOfRotatedFile(rotation)
        }
        written = position ?? .zero
        durable = written
        return position
    }

    /// Appends the batch; rotates the file when it ends a transaction past `rotateSize`.
    public func write(_ batch: SinkBatch) throws(SinkError) {
        guard descriptor >= 0 else { throw SinkError(destination: path, operation: "write to", reason: "the sink is not open") }
        let failure = FileIO.writeAll(descriptor, batch.lines)
        if failure != 0 { throw SinkError(destination: path, operation: "write to", errorNumber: failure) }
        size += batch.lines.count
        written = batch.position
        dirty = true
        if let rotateSize = configuration.rotateSize, batch.endsAtTransactionBoundary, size >= rotateSize {
            try rotate()
        }
    }

    /// `fsync`s what was appended (unless `fsyncInterval` has not passed and `force` is false) and returns the durable position.
    public func flush(force: Bool) throws(SinkError) -> LSN {
        guard dirty else { return durable }
        let now = configuration.timeSource.monotonicNanoseconds()
        if !force && configuration.fsyncInterval > 0 && now &- lastSync < UInt64(configuration.fsyncInterval * 1e9) {
            return durable
        }
        try sync(path)
        lastSync = now
        durable = written
        dirty = false
        return durable
    }

    /// Syncs and closes the file.
    public func close() throws(SinkError) {
        guard descriptor >= 0 else { return }
        defer {
            Glibc.close(descriptor)
            descriptor = -1
        }
        _ = try flush(force: true)
    }

    // MARK: - Rotation

    /// The name of rotated file number `index`.
    static func rotatedPath(_ path: String, index: Int) -> String {
        let digits = String(index)
        return path + "." + String(repeating: "0", count: max(0, 6 - digits.count)) + digits
    }

    private func rotate() throws(SinkError) {
        try sync(path)
        durable = written
        dirty = false
        let target = Self.rotatedPath(path, index: rotation + 1)
        guard rename(path, target) == 0 else {
            throw SinkError(destination: path, operation: "rotate (rename to \(target))", errorNumber: errno)
        }
        rotation += 1
        let old = descriptor
        descriptor = -1
        Glibc.close(old)
        descriptor = try openAppending(path, exclusive: true)
        try lock(descriptor)
        let failure = FileIO.syncDirectory(FileIO.directory(of: path))
        if failure != 0 { throw SinkError(destination: FileIO.directory(of: path), operation: "fsync the directory", errorNumber: failure) }
        size = 0
    }

    private func rotatedIndices() throws(SinkError) -> [Int] {
        let directory = FileIO.directory(of: path)
        let prefix = FileIO.fileName(of: path) + "."
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw SinkError(destination: directory, operation: "list", reason: "\(error)")
        }
        return names.compactMap { name in
            guard name.hasPrefix(prefix) else { return nil }
            let suffix = name.dropFirst(prefix.count)
            guard suffix.count >= 6, suffix.allSatisfy(\.isASCII), suffix.allSatisfy(\.isNumber) else { return nil }
            return Int(suffix)
        }
    }

    private func positionOfRotatedFile(_ index: Int) throws(SinkError) -> LSN? {
        let rotated = Self.rotatedPath(path, index: index)
        let descriptor = Glibc.open(rotated, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw SinkError(destination: rotated, operation: "open", errorNumber: errno) }
        defer { Glibc.close(descriptor) }
        guard case let .success(size) = FileIO.size(descriptor) else {
            throw SinkError(destination: rotated, operation: "stat", errorNumber: errno)
        }
        return try FileSinkRecovery(descriptor: descriptor, path: rotated).scan(size: size).position
    }

    // MARK: - System calls

    /// Opens `path` for appending, creating it with the configured mode when missing; `exclusive`:
    /// it must not exist yet (a rotation's new file).
    private func openAppending(_ path: String, exclusive: Bool) throws(SinkError) -> Int32 {
        let flags = O_RDWR | O_APPEND
        let opened =
            exclusive
            ? FileIO.create(path, flags: flags | O_EXCL, mode: configuration.fileMode)
            : FileIO.openOrCreate(path, flags: flags, mode: configuration.fileMode)
        switch opened {
        case let .success(descriptor): return descriptor
        case let .failure(failure): throw SinkError(destination: path, operation: "open", errorNumber: failure.errorNumber)
        }
    }

    /// Takes the exclusive lock, trying for up to a second: a child process forked (by this or any
    /// thread) while an earlier descriptor of the file was open holds that descriptor's lock until it
    /// execs, a moment later. A second pgcdc writing to the file holds it for good.
    private func lock(_ descriptor: Int32) throws(SinkError) {
        // A real wait (it sleeps between tries): the system's clock, whatever the configured time source.
        let clock = SystemTimeSource()
        let deadline = clock.monotonicNanoseconds() &+ 1_000_000_000
        while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR, clock.monotonicNanoseconds() < deadline else {
                throw SinkError(destination: path, operation: "lock", reason: "another process is writing to it")
            }
            usleep(5_000)
        }
    }

    private func sync(_ path: String) throws(SinkError) {
        let failure = FileIO.sync(descriptor)
        if failure != 0 { throw SinkError(destination: path, operation: "fsync", errorNumber: failure) }
    }
}
