import ServiceLifecycle

/// A ``ChangeStream`` run as a `Service` of swift-service-lifecycle: it hands every batch to a
/// handler and acknowledges it when the handler returns (``ChangeStream/run(maxEvents:maxDelay:linger:isolation:_:)``).
///
/// On graceful shutdown (SIGTERM to a `ServiceGroup` with `gracefulShutdownSignals`), the batch in
/// hand is finished and acknowledged, the server is told, and ``run()`` returns; what was read
/// ahead is not handed out (the server sends it again to the next run).
///
/// ```swift
/// let service = ChangeStreamService(stream: stream) { batch in
///     try await target.store(batch)                        // your code
/// }
/// let group = ServiceGroup(
///     configuration: ServiceGroupConfiguration(
///         services: [.init(service: service, successTerminationBehavior: .gracefullyShutdownGroup)],
///         gracefulShutdownSignals: [.sigterm], logger: logger))
/// try await group.run()
/// ```
///
/// A stream with an ``StreamConfiguration/endLSN`` returns from ``run()`` when it gets there; a
/// `ServiceGroup` treats a service that returns as a failure unless it is configured as above.
/// Its package needs swift-service-lifecycle and swift-log (`ServiceLifecycle`, `Logging`).
public struct ChangeStreamService: Service {
    /// The stream the service runs.
    public let stream: ChangeStream
    private let maxEvents: Int
    private let maxDelay: Duration
    private let linger: Duration
    private let handle: @Sendable (ChangeBatch) async throws -> Void

    /// A service that runs `stream` in batches of at most `maxEvents` events or `maxDelay`, a
    /// caught-up batch waiting up to `linger` for more (``ChangeStream/batches(maxEvents:maxDelay:linger:)``),
    /// handing each to `handle`.
    public init(
        stream: ChangeStream, maxEvents: Int = 1_000, maxDelay: Duration = .milliseconds(200), linger: Duration = .zero,
        handle: @escaping @Sendable (ChangeBatch) async throws -> Void
    ) {
        self.stream = stream
        self.maxEvents = maxEvents
        self.maxDelay = maxDelay
        self.linger = linger
        self.handle = handle
    }

    /// Streams until the stream ends, the handler throws, the task is cancelled or a graceful
    /// shutdown; then closes the stream (the slot is free for the next run when this returns).
    public func run() async throws {
        let stream = self.stream
        do {
            try await withGracefulShutdownHandler {
                try await stream.run(maxEvents: maxEvents, maxDelay: maxDelay, linger: linger, handle)
            } onGracefulShutdown: {
                stream.endIteration()
            }
        } catch {
            await stream.close()
            throw error
        }
        await stream.close()
    }
}
