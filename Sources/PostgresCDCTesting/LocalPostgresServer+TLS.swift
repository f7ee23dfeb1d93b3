import Foundation

extension LocalPostgresServer {
    /// The files a ``LocalPostgresServer`` listens with TLS by (``Options/tls``): PEM files anywhere
    /// this process can read; ``LocalPostgresServer/start(_:)`` copies them into the data directory,
    /// owned by the user the server runs as and the key readable by it alone, as PostgreSQL demands.
    public struct TLSFiles: Sendable {
        /// The server's certificate (`ssl_cert_file`); clients with `sslmode=verify-full` check its
        /// names against the host they connect to.
        public var certificateFile: String
        /// The certificate's private key (`ssl_key_file`).
        public var keyFile: String
        /// The CA whose client certificates the server trusts (`ssl_ca_file`), for `cert`
        /// authentication in ``Options/hbaRules``; `nil`: none.
        public var clientCertificateAuthorityFile: String?

        /// TLS files; `clientCertificateAuthorityFile` only when clients present certificates.
        public init(certificateFile: String, keyFile: String, clientCertificateAuthorityFile: String? = nil) {
            self.certificateFile = certificateFile
            self.keyFile = keyFile
            self.clientCertificateAuthorityFile = clientCertificateAuthorityFile
        }

        /// Copies the files into `data` (relative names there) and returns the settings that use them.
        func install(in data: String, asPostgres: Bool) throws -> [String: String] {
            var settings = ["ssl": "on", "ssl_cert_file": "'server.crt'", "ssl_key_file": "'server.key'"]
            var copies = [(certificateFile, "server.crt", 0o644), (keyFile, "server.key", 0o600)]
            if let clientCertificateAuthorityFile {
                copies.append((clientCertificateAuthorityFile, "client-ca.crt", 0o644))
                settings["ssl_ca_file"] = "'client-ca.crt'"
            }
            for (source, name, mode) in copies {
                let target = data + "/" + name
                do {
                    try Data(contentsOf: URL(fileURLWithPath: source)).write(to: URL(fileURLWithPath: target))
                } catch {
                    throw LocalPostgresServerError(step: "copying \(source) into the data directory", detail: "\(error)")
                }
                if asPostgres {
                    try ProcessRunner.check("chown", try ProcessRunner.run("/bin/chown", ["postgres:postgres", target]))
                }
                guard chmod(target, mode_t(mode)) == 0 else {
                    throw LocalPostgresServerError(step: "chmod \(target)", detail: String(cString: strerror(errno)))
                }
            }
            return settings
        }
    }
}
