import Testing
@testable import PostgresCDC

/// Which backfill's chunk the reader reads next, at fixed times: turns, the read-ahead limit,
/// pauses, restarts and the rows-per-second limit.
@Suite struct BackfillScheduleTests {
    static let second: UInt64 = 1_000_000_000

    static func schedule(chunksAhead: Int = 4, rowsPerSecond: Double? = nil, backfills: [String]) -> BackfillSchedule {
        var schedule = BackfillSchedule(chunksAhead: chunksAhead, rowsPerSecond: rowsPerSecond, nonce: "n", now: 0)
        for id in backfills {
            schedule.start(BackfillProgress(request: BackfillRequest(table: "items", chunkSize: 100, id: id)), catalog: TypeCatalog())
        }
        return schedule
    }

    /// The next chunk to read at `now`; `nil` when the schedule says to wait.
    static func next(_ schedule: inout BackfillSchedule, at now: UInt64 = 0) -> BackfillSchedule.Order? {
        if case let .ready(order) = schedule.next(now: now) { order } else { nil }
    }

    /// Reads the next chunk at `now` (`rows` rows, the range not ended); returns its backfill.
    static func read(_ schedule: inout BackfillSchedule, at now: UInt64 = 0, rows: Int = 100) -> String? {
        guard let order = next(&schedule, at: now) else { return nil }
        _ = schedule.chunkRead(order, lastKey: ["\(rows)"], rangeDone: false, rows: rows)
        return order.id
    }

    @Test func backfillsTakeTurnsOneChunkEach() {
        var schedule = Self.schedule(backfills: ["a", "b", "c"])
        let turns = (0..<7).map { _ in Self.read(&schedule) }
        #expect(turns == ["a", "b", "c", "a", "b", "c", "a"])
    }

    @Test func chunksAreNamedApartFromAnotherRunsChunks() {
        var schedule = Self.schedule(backfills: ["a"])
        #expect(Self.next(&schedule)?.chunk == "n-1")
        #expect(Self.next(&schedule)?.chunk == "n-2")
    }

    @Test func atMostChunksAheadChunksOfABackfillWaitForTheStream() {
        var schedule = Self.schedule(chunksAhead: 2, backfills: ["a"])
        #expect(Self.read(&schedule) == "a")
        #expect(Self.read(&schedule) == "a")
        guard case .wait(until: Self.second) = schedule.next(now: 0) else {
            Issue.record("two chunks wait for the stream: the reader waits (and looks again in a second)")
            return
        }
        schedule.tookChunk(of: "a")
        #expect(Self.read(&schedule) == "a")
    }

    @Test func aRestartWithAPauseReadsNothingOfItBeforeThePauseEnds() {
        var schedule = Self.schedule(backfills: ["a", "b"])
        schedule.restart("a", after: ["42"], pending: [], pausing: 0.5, now: 10 * Self.second)
        #expect(Self.read(&schedule, at: 10 * Self.second) == "b")
        schedule.cancel("b")
        guard case .wait(until: 10 * Self.second + Self.second / 2) = schedule.next(now: 10 * Self.second) else {
            Issue.record("the reader waits until the pause ends")
            return
        }
        let order = Self.next(&schedule, at: 10 * Self.second + Self.second / 2)
        #expect(order?.id == "a")
        #expect(order?.job.nextKey == ["42"], "read again from just after the key given")
    }

    @Test func aChunkReadBeforeARestartIsNotKept() throws {
        var schedule = Self.schedule(backfills: ["a"])
        let before = try #require(Self.next(&schedule))
        schedule.announce(Self.plan(before))
        schedule.restart("a", after: nil, pending: [], pausing: 0, now: 0)
        #expect(schedule.plan(for: before.chunk) == nil, "its plan is dropped")
        let keptBefore = schedule.chunkRead(before, lastKey: ["100"], rangeDone: false, rows: 100)
        #expect(!keptBefore)
        let after = try #require(Self.next(&schedule))
        let keptAfter = schedule.chunkRead(after, lastKey: ["100"], rangeDone: false, rows: 100)
        #expect(keptAfter)
        #expect(schedule.jobs["a"]?.inFlight == 1)
    }

    @Test func aCancelledBackfillIsNotReadAndItsChunkNotKept() throws {
        var schedule = Self.schedule(backfills: ["a"])
        let order = try #require(Self.next(&schedule))
        schedule.cancel("a")
        let kept = schedule.chunkRead(order, lastKey: nil, rangeDone: true, rows: 0)
        #expect(!kept)
        #expect(Self.next(&schedule) == nil)
    }

    @Test func theKeysToReadAgainGoWithOneChunkAndBackAfterAFailedRead() throws {
        var schedule = Self.schedule(backfills: ["a"])
        schedule.retry("a", keys: [["7"]])
        let first = try #require(Self.next(&schedule))
        #expect(first.job.pending == [["7"]])
        #expect(Self.next(&schedule)?.job.pending == [], "taken by the first chunk")
        schedule.readFailed(first)
        #expect(Self.next(&schedule)?.job.pending == [["7"]])
    }

    @Test func aBackfillReadToItsEndWaitsForKeysToReadAgain() throws {
        var schedule = Self.schedule(backfills: ["a"])
        let order = try #require(Self.next(&schedule))
        let kept = schedule.chunkRead(order, lastKey: ["50"], rangeDone: true, rows: 50)
        #expect(kept)
        #expect(Self.next(&schedule) == nil, "done")
        schedule.retry("a", keys: [["7"]])
        let again = try #require(Self.next(&schedule))
        #expect(again.job.rangeDone)
        #expect(again.job.pending == [["7"]])
    }

    @Test func theThrottleWaitsUntilTheRowsReadAreDue() {
        var limited = Self.schedule(rowsPerSecond: 200, backfills: ["a"])
        #expect(limited.throttledUntil == 0)
        _ = Self.read(&limited, rows: 100)
        _ = Self.read(&limited, rows: 300)
        #expect(limited.throttledUntil == 2 * Self.second, "400 rows at 200 a second")
        var unlimited = Self.schedule(backfills: ["a"])
        _ = Self.read(&unlimited, rows: 100)
        #expect(unlimited.throttledUntil == nil)
    }

    static func plan(_ order: BackfillSchedule.Order) -> BackfillReader.Plan {
        BackfillReader.Plan(
            backfill: order.id, chunk: order.chunk, table: 42, keyColumns: ["id"], startKey: order.job.nextKey, retryKeys: order.job.pending
        )
    }
}
