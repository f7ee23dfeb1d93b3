import Foundation
import Metrics
import PostgresCDC
import Prometheus

/// Serves the Prometheus text format on `GET /metrics` (`--metrics-addr HOST:PORT`), from a
/// thread of its own; swift-metrics is bootstrapped with the Prometheus registry it reads.
enum MetricsServer {
    struct Failure: Error, CustomStringConvertible {
        var address: String
        var reason: String
        var description: String { "cannot serve metrics on \(address): \(reason)" }
    }

    /// Binds `address` (`127.0.0.1:9187`), bootstraps swift-metrics, and starts serving.
    static func start(address: String) throws {
        guard let colon = address.lastIndex(of: ":"), let port = UInt16(address[address.index(after: colon)...]) else {
            throw Failure(address: address, reason: "expected HOST:PORT")
        }
        let host = String(address[..<colon])
        var inAddress = in_addr()
        guard inet_pton(AF_INET, host.isEmpty ? "0.0.0.0" : host, &inAddress) == 1 else {
            throw Failure(address: address, reason: "\(host) is not an IPv4 address")
        }
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard listener >= 0 else { throw Failure(address: address, reason: String(cString: strerror(errno))) }
        var yes: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var socketAddress = sockaddr_in()
        socketAddress.sin_family = sa_family_t(AF_INET)
        socketAddress.sin_port = port.bigEndian
        socketAddress.sin_addr = inAddress
        let bound = withUnsafePointer(to: &socketAddress) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(listener, 16) == 0 else {
            let reason = String(cString: strerror(errno))
            close(listener)
            throw Failure(address: address, reason: reason)
        }
        _ = fcntl(listener, F_SETFD, FD_CLOEXEC)
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        let thread = Thread { serve(listener, registry: registry) }
        thread.name = "pgcdc-metrics"
        thread.start()
    }

    private static func serve(_ listener: Int32, registry: PrometheusCollectorRegistry) {
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 {
                if errno == EINTR { continue }
                return
            }
            var request = [UInt8](repeating: 0, count: 4096)
            let count = read(client, &request, request.count)
            let line = count > 0 ? String(decoding: request[0..<count], as: UTF8.self).prefix { $0 != "\r" && $0 != "\n" } : ""
            var body: [UInt8] = []
            let status: String
            if line.hasPrefix("GET /metrics") {
                registry.emit(into: &body)
                status = "200 OK"
            } else {
                body = Array("GET /metrics\n".utf8)
                status = "404 Not Found"
            }
            let header =
                "HTTP/1.1 \(status)\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: \(body.count)\r\nConnection: "
                + "close\r\n\r\n"
            _ = FileIO.writeAll(client, (Array(header.utf8) + body)[...])
            close(client)
        }
    }
}
