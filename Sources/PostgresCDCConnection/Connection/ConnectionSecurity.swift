/// How a connection to a server travels: what `pgcdc doctor` reports per host.
package enum ConnectionSecurity: Sendable, Equatable {
    /// Over a Unix-domain socket: local, nothing to encrypt.
    case socket
    /// Over TCP with TLS: the protocol and cipher libpq negotiated (`TLSv1.3`, `TLS_AES_256_GCM_SHA384`)
    /// and the `sslmode` in use, which says whether the server's certificate was verified.
    case tls(protocolVersion: String, cipher: String, sslMode: String)
    /// Over TCP in plain text (with the `sslmode` in use): passwords and rows can be read on the way.
    case plain(sslMode: String)
}
