#if canImport(Glibc)
import Glibc
#endif

/// The few system calls that durable output needs, returning `errno` instead of trapping.
package enum FileIO {
    /// Writes all of `bytes` to `descriptor`, retrying short writes and interrupted calls.
    /// Returns 0, or the `errno` of the failed write.
    package static func writeAll(_ descriptor: Int32, _ bytes: ArraySlice<UInt8>) -> Int32 {
        bytes.withUnsafeBytes { raw -> Int32 in
            var offset = 0
            while offset < raw.count {
                let written = Glibc.write(descriptor, raw.baseAddress.map { $0 + offset }, raw.count - offset)
                if written > 0 {
                    offset += written
                } else if written < 0 && errno == EINTR {
                    continue
                } else {
                    return written < 0 ? errno : EIO
                }
            }
            return 0
        }
    }

    /// `fsync` retried on `EINTR`; returns 0 or the `errno`.
    package static func sync(_ descriptor: Int32) -> Int32 {
        while fsync(descriptor) != 0 {
            if errno != EINTR { return errno }
        }
        return 0
    }

    /// Makes a rename or a new file in `directory` durable (fsync of the directory itself).
    /// Returns 0 or the `errno`.
    package static func syncDirectory(_ directory: String) -> Int32 {
        let descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { return errno }
        defer { close(descriptor) }
        return sync(descriptor)
    }

    /// Opens `path` with `flags` (which include `O_CREAT`) and gives the file exactly `mode`,
    /// whatever the umask (`fchmod` after `open`). For files pgcdc alone writes: a temporary file,
    /// or a new file opened with `O_EXCL`. Returns the descriptor or the `errno`.
    package static func create(_ path: String, flags: Int32, mode: FileMode) -> Result<Int32, FileIOFailure> {
        let descriptor = open(path, flags | O_CREAT | O_CLOEXEC, mode.systemMode)
        guard descriptor >= 0 else { return .failure(FileIOFailure(errorNumber: errno)) }
        guard fchmod(descriptor, mode.systemMode) == 0 else {
            let failure = errno
            close(descriptor)
            return .failure(FileIOFailure(errorNumber: failure))
        }
        return .success(descriptor)
    }

    /// Opens `path` with `flags`, creating it with exactly `mode` when it does not exist; a file
    /// that exists keeps the mode its owner gave it. Returns the descriptor or the `errno`.
    package static func openOrCreate(_ path: String, flags: Int32, mode: FileMode) -> Result<Int32, FileIOFailure> {
        while true {
            let created = create(path, flags: flags | O_EXCL, mode: mode)
            guard case let .failure(failure) = created, failure.errorNumber == EEXIST else { return created }
            let descriptor = open(path, flags | O_CLOEXEC)
            if descriptor >= 0 { return .success(descriptor) }
            // Removed between the two calls: create it after all.
            if errno != ENOENT { return .failure(FileIOFailure(errorNumber: errno)) }
        }
    }

    /// Creates the directory `path` with mode `0700`, whatever the umask. Returns 0, `EEXIST` when
    /// it exists (its mode is left alone), or the `errno`.
    package static func makeDirectory(_ path: String) -> Int32 {
        guard mkdir(path, 0o700) == 0 else { return errno }
        return chmod(path, 0o700) == 0 ? 0 : errno
    }

    /// The directory part of `path` (`.` for a bare file name).
    package static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let directory = path[..<slash]
        return directory.isEmpty ? "/" : String(directory)
    }

    /// The file name part of `path`.
    package static func fileName(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }

    /// The size of the open file, or the `errno` of `fstat`.
    package static func size(_ descriptor: Int32) -> Result<Int, FileIOFailure> {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { return .failure(FileIOFailure(errorNumber: errno)) }
        return .success(Int(info.st_size))
    }

    /// Whether the descriptor refers to a regular file (not a pipe, terminal or device).
    package static func isRegularFile(_ descriptor: Int32) -> Bool {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { return false }
        return (info.st_mode & S_IFMT) == S_IFREG
    }

    /// A non-blocking, close-on-exec pipe used to wake a `poll` (a shutdown request): its read
    /// and write ends, or `nil` when the system refuses one.
    package static func makeWakePipe() -> (reader: Int32, writer: Int32)? {
        var descriptors: [Int32] = [-1, -1]
        guard pipe(&descriptors) == 0 else { return nil }
        for descriptor in descriptors {
            _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
            _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
        }
        return (descriptors[0], descriptors[1])
    }
}

/// A failed system call's `errno`.
package struct FileIOFailure: Error {
    package var errorNumber: Int32
}
