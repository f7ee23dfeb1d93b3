import Foundation

/// A request a metrics scraper would never send, and what the endpoint may answer to it.
struct BadRequest {
    enum Outcome: Equatable, CustomStringConvertible {
        /// The response's status code, then the connection closed.
        case status(Int)
        /// Closed (or reset) without a response.
        case closed
        /// Still open `timeout` seconds after the request.
        case hung

        var description: String {
            switch self {
            case let .status(code): return "\(code)"
            case .closed: return "closed"
            case .hung: return "hung"
            }
        }
    }

    var name: String
    var bytes: [UInt8]
    /// Stop writing after the request, leaving the connection half-open.
    var halfClose = false
    /// The statuses that are right; a close without a response is right when `closeIsFine`.
    var statuses: Set<Int>
    var closeIsFine = true

    func accepts(_ outcome: Outcome) -> Bool {
        switch outcome {
        case let .status(code): return statuses.contains(code)
        case .closed: return closeIsFine
        case .hung: return false
        }
    }

    /// Sends the request on a new connection and reads what comes back until the server closes.
    func send(port: Int, timeout: Double = 6) throws -> Outcome {
        let connection = try RawConnection(port: port)
        connection.write(bytes)
        if halfClose { connection.shutdownWriting() }
        let (response, closed) = connection.readUntilClosed(timeout: timeout)
        let statusLine = String(decoding: response.prefix(12), as: UTF8.self)
        if statusLine.hasPrefix("HTTP/1.1 "), let code = Int(statusLine.dropFirst(9)) { return .status(code) }
        return closed ? .closed : .hung
    }

    static let all: [BadRequest] = {
        var garbage = SystemRandomNumberGenerator()
        let noise = (0..<512).map { _ in UInt8.random(in: 0...255, using: &garbage) }
        let huge = "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: " + String(repeating: "a", count: 1 << 20) + "\r\n\r\n"
        let longPath = "GET /" + String(repeating: "m", count: 64 * 1024) + " HTTP/1.1\r\nHost: x\r\n\r\n"
        let manyHeaders = "GET /metrics HTTP/1.1\r\n" + (0..<200).map { "X-\($0): y\r\n" }.joined() + "\r\n"
        func text(_ name: String, _ request: String, _ statuses: Set<Int>, closeIsFine: Bool = true, halfClose: Bool = false) -> BadRequest
        {
            BadRequest(name: name, bytes: Array(request.utf8), halfClose: halfClose, statuses: statuses, closeIsFine: closeIsFine)
        }
        return [
            BadRequest(name: "garbage", bytes: noise, statuses: [400]),
            text("1 MiB header", huge, [400, 431]),
            text("64 KiB path", longPath, [400, 414]),
            text("200 headers", manyHeaders, [400, 431]),
            text("unknown path", "GET /debug/vars HTTP/1.1\r\nHost: x\r\n\r\n", [404], closeIsFine: false),
            text("POST", "POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello", [405], closeIsFine: false),
            text("HTTP/0.9 line", "GET /metrics\r\n\r\n", [400, 505]),
            text("bad version", "GET /metrics HTTP/7.0\r\n\r\n", [400, 505]),
            text("half-open", "GET /metr", [400], halfClose: true),
            text("empty, half-open", "", [400], halfClose: true),
        ]
    }()
}
