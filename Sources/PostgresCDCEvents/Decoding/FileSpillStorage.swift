#if canImport(Glibc)
import Glibc
#endif
import PGOutput
import PostgresCDCBase

/// Spill files in a directory (``StreamConfiguration/spillDirectory``, else `/tmp`): each is unlinked as soon as it is
/// created, so nothing is left behind, whatever way the process ends. All file I/O of a spool
/// happens here.
final class FileSpillStorage: SpillStorage {
    /// The directory the files are created in.
    package let directory: String

    package init(directory: String) {
        self.directory = directory
    }

    package var location: String { directory }

    package func makeSpillFile(xid: UInt32) throws(ReplicationError) -> any SpillFile {
        var template = Array((directory + "/pgcdc-spill-XXXXXX").utf8CString)
        let opened = mkstemp(&template)
        guard opened >= 0 else {
            throw .spillFailed(directory: directory, operation: "create", reason: String(cString: strerror(errno)), xid: xid)
        }
        _ = fcntl(opened, F_SETFD, FD_CLOEXEC)
        unlink(String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self))
        return DescriptorSpillFile(descriptor: opened, directory: directory, xid: xid)
    }
}

/// An open file descriptor read and written with `pread`/`pwrite`; closing it closes the descriptor.
final class DescriptorSpillFile: SpillFile {
    private var descriptor: Int32
    /// The directory and transaction named in errors.
    private let directory: String
    private let xid: UInt32

    /// Takes ownership of `descriptor`.
    package init(descriptor: Int32, directory: String, xid: UInt32) {
        self.descriptor = descriptor
        self.directory = directory
        self.xid = xid
    }

    deinit { close() }

    package func write(_ bytes: ArraySlice<UInt8>, at offset: Int) throws(ReplicationError) {
        let error = bytes.withUnsafeBytes { raw -> Int32 in
            var done = 0
            while done < raw.count {
                let written = pwrite(descriptor, raw.baseAddress.map { $0 + done }, raw.count - done, off_t(offset + done))
                if written > 0 {
                    done += written
                } else if written < 0 && errno == EINTR {
                    continue
                } else {
                    return written < 0 ? errno : EIO
                }
            }
            return 0
        }
        guard error == 0 else { throw failure("write to", errorNumber: error) }
    }

    package func read(into buffer: inout [UInt8], count: Int, at offset: Int) throws(ReplicationError) {
        let start = buffer.count
        buffer.append(contentsOf: repeatElement(0, count: count))
        var done = 0
        while done < count {
            let got = buffer.withUnsafeMutableBytes { raw in
                pread(descriptor, raw.baseAddress.map { $0 + start + done }, count - done, off_t(offset + done))
            }
            if got > 0 {
                done += got
            } else if got < 0 && errno == EINTR {
                continue
            } else {
                let error = got < 0 ? failure("read") : failure("read", errorNumber: EIO)
                buffer.removeLast(count - done)
                throw error
            }
        }
    }

    package func truncate(to length: Int) throws(ReplicationError) {
        guard ftruncate(descriptor, off_t(length)) == 0 else { throw failure("truncate") }
    }

    package func close() {
        if descriptor >= 0 { _ = Glibc.close(descriptor) }
        descriptor = -1
    }

    private func failure(_ operation: String, errorNumber: Int32 = errno) -> ReplicationError {
        .spillFailed(directory: directory, operation: operation, reason: String(cString: strerror(errorNumber)), xid: xid)
    }
}
