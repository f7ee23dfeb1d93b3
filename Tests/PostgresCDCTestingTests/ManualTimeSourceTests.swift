import Foundation
import PostgresCDC
import PostgresCDCTesting
import Testing

/// The manual clock users give the library in their own tests: it moves only when told to.
@Suite struct ManualTimeSourceTests {
    @Test func bothClocksStandStillUntilAdvanced() {
        let time = ManualTimeSource(unixMicroseconds: 1_767_225_600_000_000, monotonicNanoseconds: 5)
        #expect(time.monotonicNanoseconds() == 5 && time.monotonicNanoseconds() == 5)
        #expect(time.unixMicroseconds() == 1_767_225_600_000_000)
        time.advance(byNanoseconds: 1_500_000_000)
        #expect(time.monotonicNanoseconds() == 1_500_000_005)
        #expect(time.unixMicroseconds() == 1_767_225_601_500_000)
        time.advance(bySeconds: 0.25)
        #expect(time.monotonicNanoseconds() == 1_750_000_005)
    }

    /// README.md's "Time, on a clock your test moves", verbatim: if this test changes, change the README too.
    @Test func aCheckpointRecordersSyncIntervalPassesOnTheTestsClock() throws {
        let path = NSTemporaryDirectory() + "manual-time-\(getpid()).json"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let first = Checkpoint(lsn: LSN(0x100), slot: "s", systemIdentifier: "1", timeline: 1)
        let second = Checkpoint(lsn: LSN(0x200), slot: "s", systemIdentifier: "1", timeline: 1)
        let third = Checkpoint(lsn: LSN(0x300), slot: "s", systemIdentifier: "1", timeline: 1)
        let time = ManualTimeSource(unixMicroseconds: 1_767_225_600_000_000)  // 2026-01-01T00:00:00Z, standing still
        let recorder = CheckpointRecorder(store: FileCheckpointStore(path: path), syncInterval: 10, timeSource: time)
        try recorder.record(first, force: false)  // the first record is always saved durably
        try recorder.record(second, force: false)  // within the 10 s: written, not yet synced
        time.advance(bySeconds: 10)
        try recorder.record(third, force: false)  // the interval passed on the test's clock: synced, without waiting
        #expect(recorder.durablyRecorded == LSN(0x300))
        try recorder.close()
    }

    @Test func aWallClockStepLeavesTheMonotonicClockAlone() {
        let time = ManualTimeSource()
        let before = time.monotonicNanoseconds()
        time.setWallClock(unixMicroseconds: 0)
        #expect(time.unixMicroseconds() == 0 && time.monotonicNanoseconds() == before)
    }

    @Test func theSystemTimeSourceReadsTheSystemsClocks() {
        let system: any TimeSource = .system
        let first = system.monotonicNanoseconds()
        #expect(system.monotonicNanoseconds() >= first)
        // After 2026-01-01 and before 2100.
        #expect(system.unixMicroseconds() > 1_767_225_600_000_000 && system.unixMicroseconds() < 4_102_444_800_000_000)
    }
}
