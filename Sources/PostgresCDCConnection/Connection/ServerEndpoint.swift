import PostgresCDCBase
/// The server a session streams from: the DSN, restricted to the host of its list that the
/// session chose, so that helper connections (snapshot copiers, heartbeats, type lookups) reach
/// the same server as the replication connection.
package struct ServerEndpoint: Sendable {
    /// The DSN as the user gave it.
    package var dsn: String
    /// The host of a multi-host DSN the session reached; `nil` for a DSN of one host.
    package var host: HostList.Host?

    package init(dsn: String, host: HostList.Host?) {
        self.dsn = dsn
        self.host = host
    }

    /// A new connection to that server.
    package func connect(replication: Bool) throws(ReplicationError) -> PostgresConnection {
        try PostgresConnection(dsn: dsn, replication: replication, overrides: host?.overrides ?? [])
    }
}
