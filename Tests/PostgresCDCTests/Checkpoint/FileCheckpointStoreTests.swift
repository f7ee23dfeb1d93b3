import Foundation
import PGOutput
import Testing
@testable import PostgresCDC

@Suite struct FileCheckpointStoreTests {
    @Test func aSavedCheckpointLoadsBackAndLeavesNoTemporaryFile() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let store = FileCheckpointStore(path: directory.file("cp.json"))
        #expect(try store.load() == nil)
        let checkpoint = Checkpoint(lsn: LSN(0x1_0000_0ABC), slot: "s\"lot", systemIdentifier: "7441234567890123456", timeline: 3)
        try store.save(checkpoint)
        #expect(try store.load() == checkpoint)
        try store.save(Checkpoint(lsn: LSN(0x2_0000_0000), slot: "s\"lot", systemIdentifier: "7441234567890123456", timeline: 3))
        #expect(try store.load()?.lsn == LSN(0x2_0000_0000))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["cp.json"])
        #expect(try directory.read("cp.json").contains(#""lsn":"2/0""#))
    }

    @Test func theCheckpointFileIsOwnerOnlyByDefaultAndTakesTheConfiguredMode() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let checkpoint = Checkpoint(lsn: LSN(0x100), slot: "s", systemIdentifier: "1", timeline: 1)
        try FileCheckpointStore(path: directory.file("cp.json")).save(checkpoint)
        #expect(permissions(directory.file("cp.json")) == 0o600)
        let shared = try #require(FileMode(bits: 0o660))
        try FileCheckpointStore(path: directory.file("shared.json"), fileMode: shared).save(checkpoint)
        #expect(permissions(directory.file("shared.json")) == 0o660)
        // The recorder overwrites the file the store created in place: the mode stays.
        let recorder = CheckpointRecorder(
            store: FileCheckpointStore(path: directory.file("shared.json"), fileMode: shared), syncInterval: 60)
        _ = try recorder.record(Checkpoint(lsn: LSN(0x200), slot: "s", systemIdentifier: "1", timeline: 1), force: true)
        try recorder.close()
        #expect(permissions(directory.file("shared.json")) == 0o660)
    }

    @Test func aFileThatIsNotACheckpointIsRefused() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        try directory.write("cp.json", "{\"lsn\":\"nope\"}")
        #expect(throws: CheckpointError.self) { try FileCheckpointStore(path: directory.file("cp.json")).load() }
    }

    @Test func aMissingDirectoryIsReportedBeforeStreaming() throws {
        let store = FileCheckpointStore(path: "/nonexistent-pgcdc-dir/cp.json")
        #expect(throws: CheckpointError.self) { try store.checkWritable() }
        #expect(throws: CheckpointError.self) { try store.save(Checkpoint(lsn: LSN(1), slot: "s", systemIdentifier: "1", timeline: 1)) }
    }
}
