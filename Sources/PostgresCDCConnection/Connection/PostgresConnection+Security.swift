import CLibPQ

extension PostgresConnection {
    /// Whether this connection is encrypted, and how (libpq's `PQsslInUse` and `PQsslAttribute`).
    package var security: ConnectionSecurity {
        let sslMode = option("sslmode") ?? "prefer"
        guard let conn = try? connection() else { return .plain(sslMode: sslMode) }
        if PQsslInUse(conn) == 1 {
            func attribute(_ name: String) -> String { PQsslAttribute(conn, name).map { String(cString: $0) } ?? "?" }
            return .tls(protocolVersion: attribute("protocol"), cipher: attribute("cipher"), sslMode: sslMode)
        }
        if let host = PQhost(conn), String(cString: host).hasPrefix("/") { return .socket }
        return .plain(sslMode: sslMode)
    }
}
