import Testing

@testable import PostgresCDCNATS

/// The bookkeeping behind the sink's flushes, without a server: messages are known by address.
@Suite struct PublishTrackerTests {
    private func message(_ address: UInt) -> OpaquePointer {
        OpaquePointer(bitPattern: address)!  // trap-ok: a non-zero constant
    }

    private let stored = PublishTracker.Acknowledgement(sequence: 7, duplicate: false)

    @Test func aBatchIsCompleteOnceItsMessagesAndThoseOfEarlierBatchesAreAcknowledged() {
        let tracker = PublishTracker()
        tracker.published(message(0x10), batch: 1, isTail: false, endsChain: false)
        tracker.published(message(0x20), batch: 1, isTail: false, endsChain: false)
        tracker.published(message(0x30), batch: 2, isTail: true, endsChain: true)
        tracker.settle(message(0x30), failure: nil, acknowledgement: stored)
        #expect(!tracker.isComplete(1))
        #expect(!tracker.isComplete(2), "batch 1 is still pending")
        tracker.settle(message(0x10), failure: nil, acknowledgement: stored)
        tracker.settle(message(0x20), failure: nil, acknowledgement: stored)
        #expect(tracker.isComplete(1))
        #expect(tracker.isComplete(2))
        #expect(tracker.wait(through: 2, timeout: 0) == nil)
        #expect(tracker.lastAcknowledgement == stored)
    }

    @Test func aFailedMessageKeepsItsBatchAndLaterOnesIncompleteButNotEarlierOnes() {
        let tracker = PublishTracker()
        tracker.published(message(0x10), batch: 1, isTail: false, endsChain: false)
        tracker.published(message(0x20), batch: 2, isTail: false, endsChain: false)
        tracker.published(message(0x30), batch: 3, isTail: true, endsChain: false)
        tracker.settle(message(0x10), failure: nil, acknowledgement: stored)
        tracker.settle(message(0x20), failure: .init(text: "timeout", retryable: true))
        tracker.settle(message(0x30), failure: nil, acknowledgement: stored)
        #expect(tracker.isComplete(1))
        #expect(!tracker.isComplete(2))
        #expect(!tracker.isComplete(3))
        #expect(tracker.wait(through: 1, timeout: 0) == nil)
        #expect(tracker.wait(through: 3, timeout: 0)?.retryable == true)
        #expect(tracker.lastAcknowledgement == nil, "no chain starts while a failure is unresolved")
        tracker.reset()
        #expect(tracker.isComplete(3))
    }

    @Test func aLinkThatCouldNotBeSentFailsItsBatchThoughNothingOfItIsPending() {
        let tracker = PublishTracker()
        tracker.fail(batch: 4, .init(text: "publish to pgcdc.public.a: Connection Closed", retryable: true))
        #expect(!tracker.isComplete(4))
        #expect(tracker.isComplete(3))
        #expect(tracker.wait(through: 4, timeout: 0)?.text.contains("Connection Closed") == true)
    }

    @Test func aChainsLastMessageAcknowledgedAsADuplicateProvesNothing() {
        let tracker = PublishTracker()
        tracker.published(message(0x10), batch: 1, isTail: true, endsChain: true)
        tracker.settle(message(0x10), failure: nil, acknowledgement: .init(sequence: 3, duplicate: true))
        #expect(!tracker.isComplete(1))
        #expect(tracker.wait(through: 1, timeout: 0)?.retryable == true)
    }

    @Test func aRefusalOutranksATransientFailure() {
        let tracker = PublishTracker()
        tracker.published(message(0x10), batch: 1, isTail: false, endsChain: false)
        tracker.published(message(0x20), batch: 1, isTail: true, endsChain: false)
        tracker.settle(message(0x10), failure: .init(text: "timeout", retryable: true))
        tracker.settle(message(0x20), failure: .init(text: "maximum payload exceeded", retryable: false))
        #expect(tracker.wait(through: 1, timeout: 0)?.retryable == false)
    }

    @Test func aSettlementForAMessageGivenUpOnIsIgnored() {
        let tracker = PublishTracker()
        tracker.published(message(0x10), batch: 1, isTail: true, endsChain: false)
        tracker.reset()
        tracker.settle(message(0x10), failure: .init(text: "late", retryable: false))
        #expect(tracker.wait(through: 1, timeout: 0) == nil)
    }

    @Test func waitingForAnUnacknowledgedBatchTimesOutRetryably() {
        let tracker = PublishTracker()
        tracker.published(message(0x10), batch: 1, isTail: true, endsChain: false)
        let failure = tracker.wait(through: 1, timeout: 0.05)
        #expect(failure?.retryable == true)
        #expect(failure?.text.contains("1 messages not acknowledged") == true)
    }
}
