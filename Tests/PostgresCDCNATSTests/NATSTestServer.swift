import Foundation
import PostgresCDC
import PostgresCDCTesting
import TestSupport

/// A `nats-server -js` on a free loopback port with its own store directory, that a test can stop
/// and start again on the same port and store.
final class NATSTestServer {
    let port: Int
    let storeDirectory: String
    /// Options beyond JetStream, address, port and store (`--tls`, `--tlscert`, …).
    let extraArguments: [String]
    /// The loopback address it listens on (`127.0.0.1`; any of 127/8 works on Linux).
    let host: String
    private var process: BackgroundProcess?

    var url: String { "nats://\(host):\(port)" }

    init(extraArguments: [String] = [], host: String = "127.0.0.1") throws {
        self.extraArguments = extraArguments
        self.host = host
        port = try FreePort.find()
        storeDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("pgcdc-nats-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: storeDirectory, withIntermediateDirectories: true)
        try start()
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(atPath: storeDirectory)
    }

    func start() throws {
        let executable =
            ["/usr/sbin/nats-server", "/usr/bin/nats-server"].first { FileManager.default.isExecutableFile(atPath: $0) } ?? "nats-server"
        process = try BackgroundProcess(
            ["-js", "-a", host, "-p", "\(port)", "-sd", storeDirectory] + extraArguments,
            stdoutPath: storeDirectory + "/server.out", stderrPath: storeDirectory + "/server.err", executable: executable
        )
        let ready = eventually(timeout: 15) {
            let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            defer { close(socket) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr(host)
            return withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
            }
        }
        guard ready else { throw NATSTestServerError.notReady(process?.stderr ?? "") }
    }

    func stop() {
        process?.signal(SIGTERM)
        _ = process?.wait(timeout: 10)
        process = nil
    }

    /// Ends the server with SIGKILL: no shutdown, as a crashed machine.
    func kill() {
        process?.signal(SIGKILL)
        _ = process?.wait(timeout: 10)
        process = nil
    }
}

/// Three `nats-server -js` with routes to each other: a JetStream cluster on loopback, each node
/// with its own port, route port and store directory, named `node0`…`node2`.
final class NATSTestCluster {
    let nodes: [NATSTestServer]

    /// Every node's URL, for `--sink nats://a,b,c`.
    var urls: String { nodes.map(\.url).joined(separator: ",") }

    init() throws {
        let routePorts = try (0..<3).map { _ in try FreePort.find() }
        let routes = routePorts.map { "nats://127.0.0.1:\($0)" }.joined(separator: ",")
        nodes = try routePorts.enumerated().map { index, port in
            try NATSTestServer(extraArguments: [
                "-n", "node\(index)", "--cluster_name", "pgcdc-test", "--cluster", "nats://127.0.0.1:\(port)", "--routes", routes,
            ])
        }
    }

    /// The node named `name`.
    func node(named name: String) -> NATSTestServer? {
        nodes.indices.first { "node\($0)" == name }.map { nodes[$0] }
    }
}

enum NATSTestServerError: Error, CustomStringConvertible {
    case notReady(String)
    var description: String {
        switch self {
        case let .notReady(log): return "nats-server did not start: \(log)"
        }
    }
}
