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
