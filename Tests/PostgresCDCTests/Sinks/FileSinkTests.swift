import Foundation
import PGOutput
import Testing
@testable import PostgresCDC

/// The file sink's recovery, rotation and locking, on files written by hand (no server).
@Suite struct FileSinkTests {
    static let row1 =
        #"{"op":"insert","schema":"public","table":"t","commit_lsn":"0/100","seq":0,"lsn":"0/F0","xid":1,"#
        + #""commit_time":"2026-11-25T00:00:00.000000Z","key":["id"],"new":{"id":1}}"#
        + "\n"
    static let commit1 =
        #"{"op":"commit","commit_lsn":"0/100","end_lsn":"0/128","xid":1,"commit_time":"2026-11-25T00:00:00.000000Z","events":1}"# + "\n"
    static let row2 =
        #"{"op":"insert","schema":"public","table":"t","commit_lsn":"0/200","seq":0,"lsn":"0/1F0","xid":2,"#
        + #""commit_time":"2026-11-25T00:00:00.000000Z","key":["id"],"new":{"id":2}}"#
        + "\n"
    static let commit2 =
        #"{"op":"commit","commit_lsn":"0/200","end_lsn":"0/228","xid":2,"commit_time":"2026-11-25T00:00:00.000000Z","events":1}"# + "\n"
    static let message =
        #"{"op":"message","commit_lsn":"0/300","seq":0,"lsn":"0/300","transactional":false,"prefix":"p","content":"x"}"# + "\n"

    /// A sink on `out.jsonl`; with `recordsOrigin`, as pgcdc leaves it: with an origin record,
    /// written before any line (a file without one is not pgcdc's, and nothing is cut from it).
    func sink(_ directory: ScratchDirectory, rotateSize: Int? = nil, recordsOrigin: Bool = true) -> FileSink {
        var configuration = FileSink.Configuration(path: directory.file("out.jsonl"))
        configuration.rotateSize = rotateSize
        let sink = FileSink(configuration: configuration)
        if recordsOrigin { try? sink.recordOrigin(SinkOrigin(slot: "s", systemIdentifier: "1", timeline: 1)) }
        return sink
    }

    @Test func openingAFreshFileResumesFromNothing() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let sink = sink(directory)
        #expect(try sink.open() == nil)
        #expect(try directory.read("out.jsonl") == "")
    }

    @Test func recoveryCutsATornLineAndATransactionWithoutItsCommit() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        try directory.write("out.jsonl", Self.row1 + Self.commit1 + Self.row2 + String(Self.commit2.prefix(30)))
        let sink = sink(directory)
        #expect(try sink.open() == LSN(0x128))
        #expect(try directory.read("out.jsonl") == Self.row1 + Self.commit1)
        #expect(sink.recoveredBytesDropped == Self.row2.utf8.count + 30)
    }

    @Test func recoveryKeepsACompleteFileAsItIs() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        try directory.write("out.jsonl", Self.row1 + Self.commit1 + Self.row2 + Self.commit2)
        let sink = sink(directory)
        #expect(try sink.open() == LSN(0x228))
        #expect(sink.recoveredBytesDropped == 0)
    }

    @Test func aNonTransactionalMessageIsABoundaryAtItsLSN() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        try directory.write("out.jsonl", Self.row1 + Self.commit1 + Self.message + Self.row2)
        let sink = sink(directory)
        #expect(try sink.open() == LSN(0x300))
        #expect(try directory.read("out.jsonl") == Self.row1 + Self.commit1 + Self.message)
    }

    @Test func recoveryFindsABoundaryFarBehindSmallChunks() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let tail = String(repeating: Self.row2, count: 200)
        try directory.write("out.jsonl", Self.row1 + Self.commit1 + tail)
        let descriptor = open(directory.file("out.jsonl"), O_RDONLY)
        defer { close(descriptor) }
        let size = (Self.row1 + Self.commit1 + tail).utf8.count
        let result = try FileSinkRecovery(descriptor: descriptor, path: "out.jsonl", chunkSize: 7).scan(size: size)
        #expect(result == FileSinkRecovery.Result(completeLength: (Self.row1 + Self.commit1).utf8.count, position: LSN(0x128)))
    }

    /// `printf 'my notes, no newline' > f`: a partial line and nothing else, no origin record —
    /// it used to be cut to nothing and appended to.
    @Test func aForeignFileWithOnlyAPartialLineIsRefusedAndLeftAlone() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        for content in ["my notes, no newline", Self.row1 + Self.commit1 + "my notes"] {
            try directory.write("out.jsonl", content)
            let sink = sink(directory, recordsOrigin: false)
            #expect {
                try sink.open()
            } throws: { error in
                "\(error)".contains("there is no origin record") && "\(error)".contains("cuts nothing it did not write")
            }
            try? sink.close()
            #expect(try directory.read("out.jsonl") == content)
        }
    }

    @Test func aFileThatPgcdcDidNotWriteIsRefusedAndLeftAlone() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        try directory.write("out.jsonl", "hello\nworld\n")
        let sink = sink(directory)
        #expect(throws: SinkError.self) { try sink.open() }
        #expect(try directory.read("out.jsonl") == "hello\nworld\n")
    }

    @Test func aMissingDirectoryIsNamed() throws {
        let sink = FileSink(configuration: FileSink.Configuration(path: "/nonexistent-pgcdc/out.jsonl"))
        let error = #expect(throws: SinkError.self) { try sink.open() }
        #expect(error?.description == "cannot open /nonexistent-pgcdc/out.jsonl: directory /nonexistent-pgcdc does not exist")
    }

    @Test func aSecondWriterIsRefused() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let first = sink(directory)
        _ = try first.open()
        let second = sink(directory)
        #expect(throws: SinkError.self) { try second.open() }
        try first.close()
    }

    @Test func writesBecomeDurablePositionsAndRotateAtTransactionBoundaries() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let sink = sink(directory, rotateSize: 100)
        #expect(try sink.open() == nil)
        // A mid-transaction batch does not rotate even past the size, and does not move the position.
        try sink.write(SinkBatch(lines: Array(Self.row1.utf8)[...], position: .zero, endsAtTransactionBoundary: false))
        #expect(try sink.flush(force: true) == .zero)
        try sink.write(SinkBatch(lines: Array(Self.commit1.utf8)[...], position: LSN(0x128), endsAtTransactionBoundary: true))
        #expect(try sink.flush(force: false) == LSN(0x128))
        #expect(try directory.read("out.jsonl.000001") == Self.row1 + Self.commit1)
        #expect(try directory.read("out.jsonl") == "")
        try sink.close()

        // Reopened right after a rotation, the position comes from the newest rotated file.
        let reopened = self.sink(directory, rotateSize: 100)
        #expect(try reopened.open() == LSN(0x128))
        try reopened.write(
            SinkBatch(lines: Array((Self.row2 + Self.commit2).utf8)[...], position: LSN(0x228), endsAtTransactionBoundary: true))
        #expect(try reopened.flush(force: true) == LSN(0x228))
        try reopened.close()
        #expect(try directory.read("out.jsonl.000002") == Self.row2 + Self.commit2)
    }

    @Test func theOutputFileItsRotationsAndTheOriginRecordTakeTheConfiguredMode() throws {
        for bits: UInt16 in [0o600, 0o660] {
            let directory = try ScratchDirectory()
            defer { directory.remove() }
            var configuration = FileSink.Configuration(path: directory.file("out.jsonl"))
            configuration.rotateSize = 100
            if bits != 0o600 { configuration.fileMode = try #require(FileMode(bits: bits)) }
            let sink = FileSink(configuration: configuration)
            _ = try sink.open()
            try sink.recordOrigin(SinkOrigin(slot: "s", systemIdentifier: "1", timeline: 1, location: sink.originPath))
            try sink.write(
                SinkBatch(lines: Array((Self.row1 + Self.commit1).utf8)[...], position: LSN(0x128), endsAtTransactionBoundary: true))
            try sink.close()
            let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
            #expect(names == [".out.jsonl.pgcdc-origin", "out.jsonl", "out.jsonl.000001"])
            for name in names { #expect(permissions(directory.file(name)) == bits, "\(name)") }
        }
    }

    @Test func anFsyncIntervalDefersDurabilityUntilForced() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        var configuration = FileSink.Configuration(path: directory.file("out.jsonl"))
        configuration.fsyncInterval = 3600
        let sink = FileSink(configuration: configuration)
        _ = try sink.open()
        try sink.write(SinkBatch(lines: Array((Self.row1 + Self.commit1).utf8)[...], position: LSN(0x128), endsAtTransactionBoundary: true))
        #expect(try sink.flush(force: true) == LSN(0x128))
        try sink.write(SinkBatch(lines: Array((Self.row2 + Self.commit2).utf8)[...], position: LSN(0x228), endsAtTransactionBoundary: true))
        #expect(try sink.flush(force: false) == LSN(0x128))
        #expect(try sink.flush(force: true) == LSN(0x228))
        try sink.close()
    }
}
