import PGOutput

/// When ``JSONLinesStreamer`` hands its buffered lines to the sink, when it asks the sink for
/// durability, and which durable positions it records and confirms — its rules as a pure value (no
/// I/O, time given), tested without a sink or a server.
///
/// Only whole transactions are handed over, except when one transaction alone outgrows
/// ``flushThreshold``; a stop request waits at most ``stopGraceNanoseconds`` for a transaction
/// already partly handed over to end.
struct HandOverRules {
    /// How much of the buffer goes to the sink.
    enum Extent: Equatable {
        /// Up to the last transaction boundary (whole transactions only).
        case boundary
        /// All of it (a transaction larger than the threshold, the stream's end, a snapshot's end).
        case all
    }

    /// What the streamer does next, in this order: mark a transaction boundary, hand the buffer over
    /// up to ``handOver``, ask the sink for durability, stop.
    struct Plan: Equatable {
        /// The buffer ends a transaction here.
        var marksBoundary = false
        /// How much of the buffer to hand over; `nil` for nothing.
        var handOver: Extent?
        /// Ask the sink how far it is durable; `true`: insist (idle, stopping, a snapshot's end).
        var flushes: Bool?
        /// Return after this plan.
        var stops = false
    }

    /// Hand the buffer over once this many bytes are buffered, even mid-transaction.
    var flushThreshold: Int
    /// Hand every transaction over as soon as it is complete.
    var batchPerTransaction: Bool
    /// After a stop request, how long to keep reading to finish a transaction already partly handed over.
    var stopGraceNanoseconds: UInt64
    /// When a requested stop happens at the latest; `nil` before a stop was requested.
    private(set) var stopDeadline: UInt64?
    /// The last position the sink made durable.
    private(set) var durableThrough: LSN
    /// What the server was last told (a checkpoint's durable position may lag the sink's).
    private(set) var confirmedThrough: LSN

    /// The rules of a run that starts at `start` (only a position past it is news worth recording).
    init(flushThreshold: Int, batchPerTransaction: Bool, stopGraceSeconds: Double, start: LSN) {
        self.flushThreshold = flushThreshold
        self.batchPerTransaction = batchPerTransaction
        self.stopGraceNanoseconds = UInt64(max(0, stopGraceSeconds) * 1e9)
        self.durableThrough = start
        self.confirmedThrough = start
    }

    /// Before reading the next step: the plan that ends the run, once a stop was requested and no
    /// transaction is half handed over (or the grace is over); `nil` to read on. `now` (monotonic
    /// nanoseconds) is read only once a stop was requested: the common path reads no clock.
    mutating func beforeReading(stopRequested: () -> Bool, midTransactionHandedOver: Bool, now: () -> UInt64) -> Plan? {
        if stopDeadline == nil {
            guard stopRequested() else { return nil }
            stopDeadline = now() &+ stopGraceNanoseconds
        }
        guard let stopDeadline, !midTransactionHandedOver || now() >= stopDeadline else { return nil }
        // Whole transactions only: the rest is read again by the next run.
        return Plan(handOver: .boundary, flushes: true, stops: true)
    }

    /// After lines were added to a buffer now holding `buffered` bytes.
    func afterLines(atTransactionBoundary: Bool, buffered: Int) -> Plan {
        var plan = Plan(marksBoundary: atTransactionBoundary)
        if atTransactionBoundary && (batchPerTransaction || stopDeadline != nil) {
            plan.handOver = .boundary
            plan.flushes = false
        } else if buffered >= flushThreshold {
            // At a boundary, the boundary is the buffer's end: .all hands over the same bytes.
            plan.handOver = .all
            plan.flushes = false
        }
        return plan
    }

    /// Nothing more to read without waiting: whole transactions go out, durable.
    func idle(atTransactionBoundary: Bool) -> Plan {
        Plan(marksBoundary: atTransactionBoundary, handOver: .boundary, flushes: true)
    }

    /// The end LSN was reached: everything goes out, durable, and the run ends.
    func end() -> Plan {
        Plan(marksBoundary: true, handOver: .all, flushes: true, stops: true)
    }

    /// The snapshot is complete: all of it must be durable before the session keeps the slot.
    func snapshotCompleted() -> Plan {
        Plan(marksBoundary: true, handOver: .all, flushes: true)
    }

    /// Rows already written as lines arrive while `buffered` bytes wait: with none waiting, they
    /// go to the sink as a batch of their own (bytes and descriptors not copied).
    func handsOverAlone(buffered: Int) -> Bool {
        buffered == 0
    }

    /// The sink reports `durable`: whether to record that position and confirm it to the server
    /// (a position that advanced; with `force`, also one recorded before only in the page cache).
    func records(durable: LSN, force: Bool) -> Bool {
        durable > durableThrough || (force && confirmedThrough < durableThrough)
    }

    /// `durable` was recorded, and `confirmable` may be confirmed to the server.
    mutating func recorded(durable: LSN, confirmable: LSN) {
        durableThrough = max(durable, durableThrough)
        confirmedThrough = confirmable
    }
}
