import Testing

@testable import PostgresCDC

/// The streamer's rules, without a sink or a server: whole transactions only, the threshold for
/// a transaction too large to wait for, the stop grace on a given clock, what is recorded.
@Suite struct HandOverRulesTests {
    static func rules(batchPerTransaction: Bool = false) -> HandOverRules {
        HandOverRules(flushThreshold: 100, batchPerTransaction: batchPerTransaction, stopGraceSeconds: 3, start: LSN(500))
    }

    @Test func linesMidTransactionWaitUntilTheThresholdThenGoOutWhole() {
        let rules = Self.rules()
        #expect(rules.afterLines(atTransactionBoundary: false, buffered: 99) == .init())
        #expect(rules.afterLines(atTransactionBoundary: false, buffered: 100) == .init(handOver: .all, flushes: false))
        #expect(rules.afterLines(atTransactionBoundary: true, buffered: 10) == .init(marksBoundary: true))
    }

    @Test func aTransactionGoesOutAtItsEndWhenBatchedPerTransaction() {
        let rules = Self.rules(batchPerTransaction: true)
        #expect(
            rules.afterLines(atTransactionBoundary: true, buffered: 10) == .init(marksBoundary: true, handOver: .boundary, flushes: false))
        #expect(rules.afterLines(atTransactionBoundary: false, buffered: 10) == .init())
    }

    @Test func idleEndAndSnapshotEndInsistOnDurability() {
        let rules = Self.rules()
        #expect(rules.idle(atTransactionBoundary: false) == .init(handOver: .boundary, flushes: true))
        #expect(rules.idle(atTransactionBoundary: true) == .init(marksBoundary: true, handOver: .boundary, flushes: true))
        #expect(rules.end() == .init(marksBoundary: true, handOver: .all, flushes: true, stops: true))
        #expect(rules.snapshotCompleted() == .init(marksBoundary: true, handOver: .all, flushes: true))
        #expect(rules.handsOverAlone(buffered: 0) && !rules.handsOverAlone(buffered: 1))
    }

    @Test func aStopWaitsForAHalfHandedOverTransactionAtMostTheGrace() {
        var rules = Self.rules()
        var clockReads = 0
        func now(_ value: UInt64) -> () -> UInt64 {
            {
                clockReads += 1; return value
            }
        }
        // No stop requested: the clock is not read.
        #expect(rules.beforeReading(stopRequested: { false }, midTransactionHandedOver: true, now: now(0)) == nil)
        #expect(clockReads == 0 && rules.stopDeadline == nil)
        // Requested at t = 1 s while a transaction is half out: read on until 4 s.
        #expect(rules.beforeReading(stopRequested: { true }, midTransactionHandedOver: true, now: now(1_000_000_000)) == nil)
        #expect(rules.stopDeadline == 4_000_000_000)
        #expect(rules.beforeReading(stopRequested: { true }, midTransactionHandedOver: true, now: now(3_999_999_999)) == nil)
        let stop = HandOverRules.Plan(handOver: .boundary, flushes: true, stops: true)
        #expect(rules.beforeReading(stopRequested: { true }, midTransactionHandedOver: true, now: now(4_000_000_000)) == stop)
        // Once stopping, every transaction that ends goes out at once.
        #expect(
            rules.afterLines(atTransactionBoundary: true, buffered: 1) == .init(marksBoundary: true, handOver: .boundary, flushes: false))
    }

    @Test func aStopBetweenTransactionsEndsAtOnce() {
        var rules = Self.rules()
        let plan = rules.beforeReading(stopRequested: { true }, midTransactionHandedOver: false, now: { 7 })
        #expect(plan == .init(handOver: .boundary, flushes: true, stops: true))
    }

    @Test func onlyAnAdvancedPositionIsRecordedUnlessForcedAfterALaggingCheckpoint() {
        var rules = Self.rules()
        #expect(!rules.records(durable: LSN(500), force: false))
        #expect(!rules.records(durable: LSN(400), force: true))
        #expect(rules.records(durable: LSN(600), force: false))
        // The checkpoint kept 600 in the page cache only: the server was told 550.
        rules.recorded(durable: LSN(600), confirmable: LSN(550))
        #expect(rules.durableThrough == LSN(600) && rules.confirmedThrough == LSN(550))
        #expect(!rules.records(durable: LSN(600), force: false))
        #expect(rules.records(durable: LSN(600), force: true))
        rules.recorded(durable: LSN(600), confirmable: LSN(600))
        #expect(!rules.records(durable: LSN(600), force: true))
    }
}
