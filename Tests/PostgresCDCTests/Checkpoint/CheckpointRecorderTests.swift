import Foundation
import PGOutput
import PostgresCDCTesting
import Testing
@testable import PostgresCDC

@Suite struct CheckpointRecorderTests {
    static func checkpoint(_ lsn: UInt64, slot: String = "s") -> Checkpoint {
        Checkpoint(lsn: LSN(lsn), slot: slot, systemIdentifier: "7441234567890123456", timeline: 1)
    }

    @Test func inPlaceRecordsAreReadBackAndTheLastIsSavedDurablyOnClose() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let store = FileCheckpointStore(path: directory.file("cp.json"))
        let recorder = CheckpointRecorder(store: store, syncInterval: 3600)
        try recorder.record(Self.checkpoint(0x100), force: false)  // the first one is always a full save
        let inode = try FileManager.default.attributesOfItem(atPath: store.path)[.systemFileNumber] as? UInt64
        for lsn in stride(from: UInt64(0x200), through: 0x2000, by: 0x100) {
            try recorder.record(Self.checkpoint(lsn), force: false)
            #expect(try store.load() == Self.checkpoint(lsn))
        }
        // Overwritten in place: still the same file.
        #expect(try FileManager.default.attributesOfItem(atPath: store.path)[.systemFileNumber] as? UInt64 == inode)
        try recorder.close()
        #expect(try store.load() == Self.checkpoint(0x2000))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["cp.json"])
    }

    /// The server may only hear positions the checkpoint holds durably, so a power loss can never
    /// leave the slot ahead of the checkpoint (which pgcdc would refuse as a gap).
    @Test func onlyDurablySavedPositionsAreReturnedForTheServer() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let recorder = CheckpointRecorder(store: FileCheckpointStore(path: directory.file("cp.json")), syncInterval: 3600)
        #expect(try recorder.record(Self.checkpoint(0x100), force: false) == LSN(0x100))
        #expect(try recorder.record(Self.checkpoint(0x200), force: false) == LSN(0x100))
        #expect(try recorder.record(Self.checkpoint(0x300), force: false) == LSN(0x100))
        #expect(try recorder.record(Self.checkpoint(0x400), force: true) == LSN(0x400))
        #expect(recorder.durablyRecorded == LSN(0x400))
        let everyTime = CheckpointRecorder(store: FileCheckpointStore(path: directory.file("cp2.json")), syncInterval: 0)
        #expect(try everyTime.record(Self.checkpoint(0x100), force: false) == LSN(0x100))
        #expect(try everyTime.record(Self.checkpoint(0x200), force: false) == LSN(0x200))
    }

    /// The sync interval is measured on the recorder's time source: a manual clock decides when
    /// the next record is saved durably, without waiting.
    @Test func theSyncIntervalPassesOnTheRecordersClock() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let time = ManualTimeSource()
        let recorder = CheckpointRecorder(store: FileCheckpointStore(path: directory.file("cp.json")), syncInterval: 10, timeSource: time)
        #expect(try recorder.record(Self.checkpoint(0x100), force: false) == LSN(0x100))
        time.advance(bySeconds: 9.9)
        #expect(try recorder.record(Self.checkpoint(0x200), force: false) == LSN(0x100))
        time.advance(bySeconds: 0.1)
        #expect(try recorder.record(Self.checkpoint(0x300), force: false) == LSN(0x300))
    }

    /// The same for a sink's `fsyncInterval`: a regular file is synced once the interval passed on its clock.
    @Test func aDescriptorSinksFsyncIntervalPassesOnItsClock() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let descriptor = open(directory.file("out.jsonl"), O_WRONLY | O_CREAT, 0o600)
        try #require(descriptor >= 0)
        defer { close(descriptor) }
        let time = ManualTimeSource(monotonicNanoseconds: 1_000_000_000_000)  // up for 1,000 s: the first flush syncs
        let sink = FileDescriptorSink(descriptor: descriptor, name: "out.jsonl", fsyncInterval: 5, timeSource: time)
        try sink.write(SinkBatch(lines: Array("{}\n".utf8)[...], position: LSN(0x10), endsAtTransactionBoundary: true))
        #expect(try sink.flush(force: false) == LSN(0x10))
        try sink.write(SinkBatch(lines: Array("{}\n".utf8)[...], position: LSN(0x20), endsAtTransactionBoundary: true))
        #expect(try sink.flush(force: false) == LSN(0x10))
        time.advance(bySeconds: 5)
        #expect(try sink.flush(force: false) == LSN(0x20))
    }

    @Test func aLongerRecordReplacesTheFileInsteadOfOverwritingIt() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let store = FileCheckpointStore(path: directory.file("cp.json"))
        let recorder = CheckpointRecorder(store: store, syncInterval: 3600)
        try recorder.record(Self.checkpoint(0x100), force: false)
        let long = Self.checkpoint(0x200, slot: String(repeating: "\"", count: 60))
        try recorder.record(long, force: false)
        #expect(try store.load() == long)
        try recorder.record(Self.checkpoint(0x300), force: false)
        #expect(try store.load() == Self.checkpoint(0x300))
    }

    @Test func aRecordTornBetweenTwoVersionsIsRefused() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let store = FileCheckpointStore(path: directory.file("cp.json"))
        let old = FileCheckpointStore.record(Self.checkpoint(0x19FFFF), size: 256)
        let new = FileCheckpointStore.record(Self.checkpoint(0x1A0000), size: 256)
        // The first bytes of the new record over the rest of the old: "0/1AFFFF", a valid LSN ahead of both.
        let torn = Array(new[0..<12]) + Array(old[12...])
        #expect(String(decoding: torn, as: UTF8.self).hasPrefix(#"{"lsn":"0/1AFFFF""#))
        try Data(torn).write(to: URL(fileURLWithPath: store.path))
        let error = #expect(throws: CheckpointError.self) { try store.load() }
        #expect(error?.reason.contains("is damaged") == true)
    }
}
