import NIOCore
import NIOHTTP1
import Prometheus

/// Answers one connection of the metrics endpoint: `GET /metrics` (the Prometheus text format) and
/// `GET /healthz` with 200, other paths with 404, other methods with 405, versions other than 1.x
/// with 505 (and closes: their bodies are not read); a malformed head gets 400 from
/// `HTTPServerProtocolErrorHandler`. Each request must arrive within `requestTimeout` of the
/// connection's start or of the previous response (a slowloris client, an idle keep-alive
/// connection is then closed).
final class MetricsHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let registry: PrometheusCollectorRegistry
    private let requestTimeout: TimeAmount
    /// The GET request whose end is awaited, and whether it asked for `/healthz`.
    private var pending: (head: HTTPRequestHead, health: Bool)?
    private var deadline: Scheduled<Void>?
    private var closing = false

    init(registry: PrometheusCollectorRegistry, requestTimeout: TimeAmount) {
        self.registry = registry
        self.requestTimeout = requestTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        armDeadline(context: context)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !closing else { return }
        switch unwrapInboundIn(data) {
        case let .head(head):
            let path = head.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            guard path == "/metrics" || path == "/healthz" else {
                return respond(
                    context: context, status: .notFound, body: "not found: the endpoint is GET /metrics\n".utf8, keepAlive: false)
            }
            guard head.version.major == 1 else {
                return respond(context: context, status: .httpVersionNotSupported, body: "HTTP/1.x only\n".utf8, keepAlive: false)
            }
            guard head.method == .GET else {
                return respond(context: context, status: .methodNotAllowed, body: "only GET\n".utf8, keepAlive: false, allow: true)
            }
            pending = (head, path == "/healthz")
        case .body:
            break
        case .end:
            guard let (head, health) = pending else { return }
            pending = nil
            if health {
                respond(context: context, status: .ok, body: "ok\n".utf8, keepAlive: head.isKeepAlive)
            } else {
                var body: [UInt8] = []
                registry.emit(into: &body)
                respond(context: context, status: .ok, body: body, keepAlive: head.isKeepAlive)
            }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // HTTPServerProtocolErrorHandler has answered a malformed request with 400; this closes.
        context.close(promise: nil)
    }

    private func respond(
        context: ChannelHandlerContext, status: HTTPResponseStatus, body: some Collection<UInt8>, keepAlive: Bool, allow: Bool = false
    ) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: status == .ok ? "text/plain; version=0.0.4; charset=utf-8" : "text/plain; charset=utf-8")
        headers.add(name: "Content-Length", value: String(body.count))
        headers.add(name: "Connection", value: keepAlive ? "keep-alive" : "close")
        if allow { headers.add(name: "Allow", value: "GET") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil)
        let written = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if keepAlive {
            armDeadline(context: context)
        } else {
            closing = true
            let channel = context.channel
            written.whenComplete { _ in channel.close(promise: nil) }
        }
    }

    /// Closes the connection unless the next request is answered within `requestTimeout`.
    private func armDeadline(context: ChannelHandlerContext) {
        deadline?.cancel()
        let channel = context.channel
        deadline = context.eventLoop.scheduleTask(in: requestTimeout) { channel.close(promise: nil) }
    }
}
