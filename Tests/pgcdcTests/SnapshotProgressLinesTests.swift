import Testing
@testable import pgcdc

/// The lines `pgcdc stream` prints as a snapshot copies its tables, with the time given.
@Suite struct SnapshotProgressLinesTests {
    @Test func eachTableGetsALineAndTheLastOneTheSummaryTooTimedFromTheStart() {
        var lines = SnapshotProgressLines(started: 1_000_000_000)
        let first = lines.record(
            table: "public.a", rows: 500, seconds: 0.5, estimatedRows: 1000, tablesDone: 1, tablesTotal: 2, now: 1_600_000_000)
        #expect(first == "snapshot 1/2 public.a: 500 rows in 0.50 s, 1000 rows/s (50% of the estimate)\n")
        let last = lines.record(
            table: "public.b", rows: 1500, seconds: 0, estimatedRows: 0, tablesDone: 2, tablesTotal: 2, now: 3_000_000_000)
        #expect(
            last == "snapshot 2/2 public.b: 1500 rows in 0.00 s, 1500 rows/s\n"
                + "snapshot done: 2000 rows of 2 tables in 2.00 s, 1000 rows/s\n")
    }
}
