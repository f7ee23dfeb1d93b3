import NIOCore

/// Where `--metrics-addr` listens, parsed once: `:9187` on every interface (the exporters'
/// convention, as postgres_exporter), `127.0.0.1:9187` on loopback, `[::1]:9187` on IPv6 loopback.
struct MetricsAddress: Equatable, CustomStringConvertible {
    /// The IP literal to bind, or `nil` for every interface.
    var host: String?
    var port: Int

    struct Failure: Error, CustomStringConvertible {
        var address: String
        var reason: String
        var description: String { "cannot serve metrics on \(address): \(reason)" }
    }

    /// Parses `HOST:PORT`, `:PORT` or `[IPv6]:PORT`; HOST is an IP literal (no name is looked up).
    init(parsing text: String) throws(Failure) {
        guard let colon = text.lastIndex(of: ":"), let port = UInt16(text[text.index(after: colon)...]) else {
            throw Failure(address: text, reason: "expected HOST:PORT, :PORT or [IPv6]:PORT")
        }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") {
            host = String(host.dropFirst().dropLast())
        } else if host.contains(":") {
            throw Failure(address: text, reason: "write an IPv6 address in brackets, e.g. [::1]:\(port)")
        }
        if !host.isEmpty {
            do {
                _ = try SocketAddress(ipAddress: host, port: Int(port))
            } catch {
                throw Failure(address: text, reason: "\(host) is not an IPv4 or IPv6 address")
            }
        }
        self.host = host.isEmpty ? nil : host
        self.port = Int(port)
    }

    /// The addresses to try in order: every interface is `::` (which takes IPv4 too on a dual-stack
    /// host), then `0.0.0.0` where IPv6 is off.
    func socketAddresses() throws -> [SocketAddress] {
        guard let host else {
            return [try SocketAddress(ipAddress: "::", port: port), try SocketAddress(ipAddress: "0.0.0.0", port: port)]
        }
        return [try SocketAddress(ipAddress: host, port: port)]
    }

    var description: String {
        guard let host else { return ":\(port)" }
        return host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}
