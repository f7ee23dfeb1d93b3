import Foundation

/// Slowloris: connections that each send one byte of a request head per second and never finish it.
final class SlowClients {
    private var connections: [RawConnection?]
    /// Seconds from the start to each connection's close by the server, as they are noticed.
    private(set) var closedAt: [Double] = []
    private let head = Array("GET /metrics HTTP/1.1\r\nHost: localhost\r\nX-Slow: ".utf8) + Array(repeating: UInt8(ascii: "z"), count: 4096)
    private var sent = 0

    init(port: Int, count: Int) {
        connections = (0..<count).map { _ in try? RawConnection(port: port) }
        closedAt = Array(repeating: 0, count: connections.count - connections.compactMap { $0 }.count)
    }

    var openCount: Int { connections.compactMap { $0 }.count }
    var allClosed: Bool { openCount == 0 }

    /// Notes the connections the server closed; once a second, sends each open one its next byte.
    func tick(elapsed: Double) {
        let due = Int(elapsed) + 1 > sent
        for index in connections.indices {
            guard let connection = connections[index] else { continue }
            if connection.peerHasClosed() || (due && !connection.write([head[sent % head.count]])) {
                closedAt.append(elapsed)
                connection.disconnect()
                connections[index] = nil
            }
        }
        if due { sent += 1 }
    }
}
