import Dispatch

/// Runs blocking work (file syncs, libpq round trips) on threads of its own, so that an `async`
/// entry point never blocks a thread of Swift's cooperative pool.
enum BlockingIO {
    private static let key = DispatchSpecificKey<Bool>()
    private static let queue: DispatchQueue = {
        let queue = DispatchQueue(label: "pgcdc.blocking-io", attributes: .concurrent)
        queue.setSpecific(key: key, value: true)
        return queue
    }()

    /// The result of `work`, run on a blocking-I/O thread.
    static func run<Result: Sendable>(_ work: @escaping @Sendable () throws -> Result) async throws -> Result {
        try await withCheckedThrowingContinuation { continuation in
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
