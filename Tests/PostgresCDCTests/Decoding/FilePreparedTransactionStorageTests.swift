#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import PostgresCDC

/// The directory of prepared transactions: what goes wrong before any transaction is known names
/// the directory and the operation, not a transaction.
@Suite struct FilePreparedTransactionStorageTests {
    @Test func aDirectoryThatCannotBeListedIsAStorageErrorWithoutAnXid() throws {
        let path = "/tmp/pgcdc-not-a-directory-\(getpid())"
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        try #require(descriptor >= 0)
        close(descriptor)
        defer { unlink(path) }
        do {
            _ = try PreparedTransactionStore(directory: path)
            Issue.record("expected an error")
        } catch {
            guard case let .storageFailed(failedPath, operation, _) = error else {
                Issue.record("expected storageFailed, got \(error)")
                return
            }
            #expect(failedPath == path)
            #expect(operation == "list")
            #expect(!"\(error)".contains("transaction 0"))
            #expect("\(error)".contains("could not list \(path)"))
        }
    }
}
