import Dispatch

/// Runs blocking work (file syncs, libpq round trips) on threads of its own, so that an `async`
/// entry point never blocks a thread of Swift's cooperative pool.
///
/// Each call gets a serial queue of its own: libdispatch runs serial queues on its overcommitting
/// threads, which it adds while others block. A concurrent queue would not do: it runs on the same
/// root queue as the cooperative pool, at most as many at once as the machine has cores — on 2
/// cores, two blocked calls stopped every task of the process (measured: six 0.5 s sleeps took
/// 1.5 s on one concurrent queue, 0.5 s on a serial queue each).
package enum BlockingIO {
    private static let key = DispatchSpecificKey<Bool>()

    /// The result of `work`, run on a blocking-I/O thread.
    package static func run<Result: Sendable>(_ work: @escaping @Sendable () throws -> Result) async throws -> Result {
        let queue = DispatchQueue(label: "pgcdc.blocking-io")
        queue.setSpecific(key: key, value: true)
        return try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Swift.Result { try work() })
            }
        }
    }

    /// Whether the caller runs on a blocking-I/O thread.
    static var isCurrent: Bool {
        DispatchQueue.getSpecific(key: key) == true
    }
}
