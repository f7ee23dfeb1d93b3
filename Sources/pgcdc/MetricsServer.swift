import Metrics
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import Prometheus

/// Serves the Prometheus text format on `GET /metrics` (`--metrics-addr HOST:PORT`) from one event
/// loop thread of its own; swift-metrics is bootstrapped with the Prometheus registry it reads.
///
/// It is meant to face a network: request heads are capped (`headLimits`), each request has
/// `requestTimeout` to arrive (a slowloris client is closed), and at most `maxConnections` are open
/// at once (a flood cannot take the process's file descriptors); see `MetricsHTTPHandler`.
final class MetricsServer: Sendable {
    /// Each request's head must arrive within this time, and a keep-alive connection idles at most this long.
    static let requestTimeout = TimeAmount.seconds(5)
    /// Connections past this many are closed as they are accepted.
    static let maxConnections = 64
    /// A scrape's head is a few hundred bytes; anything near these limits is not a scraper.
    static let headLimits: NIOHTTPDecoderLimitConfiguration = {
        var limits = NIOHTTPDecoderLimitConfiguration()
        limits.maxHeaderFieldSize = 8 * 1024
        limits.maxHeaderListSize = 16 * 1024
        limits.maxHeaderFieldCount = 64
        return limits
    }()

    private struct ConnectionLimitReached: Error {}

    private let group: MultiThreadedEventLoopGroup
    private let channel: any Channel

    private init(group: MultiThreadedEventLoopGroup, channel: any Channel) {
        self.group = group
        self.channel = channel
    }

    /// Binds `address`, bootstraps swift-metrics, and starts serving until `stop()`.
    static func start(address: MetricsAddress) throws -> MetricsServer {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let registry = PrometheusCollectorRegistry()
        let open = NIOLockedValueBox(0)
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 64)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                let admitted = open.withLockedValue { count in
                    guard count < maxConnections else { return false }
                    count += 1
                    return true
                }
                // A failed initializer makes the accepting handler close the connection.
                guard admitted else { return channel.eventLoop.makeFailedFuture(ConnectionLimitReached()) }
                channel.closeFuture.whenComplete { _ in open.withLockedValue { $0 -= 1 } }
                return channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    try pipeline.addHandler(
                        ByteToMessageHandler(
                            HTTPRequestDecoder(
                                leftOverBytesStrategy: .dropBytes,
                                informationalResponseStrategy: .drop, limitConfiguration: headLimits)))
                    try pipeline.addHandler(HTTPResponseEncoder())
                    try pipeline.addHandler(HTTPServerProtocolErrorHandler())
                    try pipeline.addHandler(MetricsHTTPHandler(registry: registry, requestTimeout: requestTimeout))
                }
            }
        var lastError: (any Error)?
        for socketAddress in try address.socketAddresses() {
            do {
                let channel = try bootstrap.bind(to: socketAddress).wait()
                MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
                return MetricsServer(group: group, channel: channel)
            } catch {
                lastError = error
            }
        }
        try? group.syncShutdownGracefully()
        throw MetricsAddress.Failure(address: address.description, reason: lastError.map { "\($0)" } ?? "no address to bind")
    }

    /// Stops listening, closes the open connections and ends the event loop thread.
    func stop() {
        try? channel.close().wait()
        try? group.syncShutdownGracefully()
    }
}
