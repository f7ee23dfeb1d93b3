import Testing
@testable import PostgresCDC

/// The retained WAL of a slot and when it warrants a warning, decided from facts alone.
@Suite struct SlotRetentionTests {
    static let mebibyte: Int64 = 1 << 20

    @Test func theShareIsOfTheLimitOrOfTheWALDisk() {
        #expect(SlotRetention(retainedBytes: 16 * Self.mebibyte, limitBytes: 64 * Self.mebibyte).share == 0.25)
        #expect(SlotRetention(retainedBytes: 30 * Self.mebibyte, freeDiskBytes: 90 * Self.mebibyte).share == 0.25)
        #expect(SlotRetention(retainedBytes: 30 * Self.mebibyte).share == nil, "unlimited and no disk: unknown")
        let summary = SlotRetention(retainedBytes: 16 * Self.mebibyte, walStatus: "reserved", limitBytes: 64 * Self.mebibyte).summary
        #expect(summary == "16.0 MiB retained, 25% of max_slot_wal_keep_size (64.0 MiB), wal_status reserved")
    }

    @Test func aWarningAtTheThresholdAgainEachTenPointsAndANoticeOnceBackUnder() {
        var watch = SlotRetentionWatch(threshold: 0.5)
        func at(_ percent: Int64, _ status: String = "reserved") -> SlotRetentionWatch.Notice? {
            watch.assess(SlotRetention(retainedBytes: percent * Self.mebibyte, walStatus: status, limitBytes: 100 * Self.mebibyte))
        }
        #expect(at(10) == nil)
        #expect(at(49) == nil)
        guard case let .warning(first)? = at(50) else { Issue.record("a warning at 50%"); return }
        #expect(first.contains("50% of what it may (warning at 50%)") && first.contains("max_slot_wal_keep_size (100.0 MiB)"))
        #expect(at(55) == nil)
        #expect(at(59) == nil)
        if case .warning? = at(61) {} else { Issue.record("again 10 points higher") }
        #expect(at(65) == nil)
        if case let .warning(message)? = at(66, "unreserved") {
            #expect(message.contains("wal_status unreserved"))
        } else {
            Issue.record("unreserved warns at every check")
        }
        if case .warning? = at(66, "unreserved") {} else { Issue.record("unreserved warns at every check") }
        if case .recovered? = at(20) {} else { Issue.record("a notice once back under") }
        #expect(at(20) == nil)
        if case .warning? = at(50) {} else { Issue.record("a new crossing warns again") }
    }
}
