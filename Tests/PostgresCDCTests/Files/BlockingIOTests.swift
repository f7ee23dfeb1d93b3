import Foundation
import Testing
@testable import PostgresCDC
@testable import PostgresCDCBase
@testable import PostgresCDCEvents

/// Blocking work called from async code runs off the cooperative pool.
@Suite struct BlockingIOTests {
    @Test func workRunsOnAThreadOfItsOwn() async throws {
        #expect(!BlockingIO.isCurrent)
        #expect(try await BlockingIO.run { BlockingIO.isCurrent })
    }

    /// More blocked calls than the machine has cores all run at once: none waits for a core's
    /// thread. On a concurrent queue only as many ran as the machine has cores, and libdispatch
    /// added a thread about every 0.6 s while they stayed blocked: 8 calls on 2 cores met after
    /// 4.8 s; on a serial queue each, after 2 ms.
    @Test func moreBlockedCallsThanCoresRunAtOnce() async throws {
        let calls = 3 * ProcessInfo.processInfo.activeProcessorCount + 2
        let barrier = Barrier(parties: calls)
        let allMet = try await withThrowingTaskGroup(of: Bool.self) { group in
            // Immediate tasks hand their work to BlockingIO before this loop goes on: every call is
            // queued in this task's turn, so a busy cooperative pool cannot delay one past the timeout.
            for _ in 0..<calls {
                group.addImmediateTask { try await BlockingIO.run { barrier.arriveAndWait(timeout: 3) } }
            }
            return try await group.reduce(true) { $0 && $1 }
        }
        #expect(allMet, "\(calls) blocked calls did not all run at once")
    }

    /// Threads wait here until `parties` arrived, or until a timeout.
    final class Barrier: @unchecked Sendable {  // `arrived` is guarded by `condition`.
        private let condition = NSCondition()
        private let parties: Int
        private var arrived = 0

        init(parties: Int) { self.parties = parties }

        /// Whether all parties arrived within `timeout` seconds.
        func arriveAndWait(timeout: Double) -> Bool {
            condition.withLock {
                arrived += 1
                condition.broadcast()
                let deadline = Date(timeIntervalSinceNow: timeout)
                while arrived < parties {
                    if !condition.wait(until: deadline) { return false }
                }
                return true
            }
        }
    }
}
