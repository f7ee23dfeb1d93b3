/// What to do about a TLS failure libpq reports only in OpenSSL's words: one sentence appended to
/// its message, naming the DSN parameter to change (libpq, "SSL Support":
/// https://www.postgresql.org/docs/current/libpq-ssl.html).
enum TLSFailureHint {
    /// The hint for libpq's `message`, or `nil` when it is not a TLS failure it can explain;
    /// `rootCertificate` is the `sslrootcert` in use.
    static func hint(for message: String, rootCertificate: String?) -> String? {
        if message.contains("does not match host name") {
            return "sslmode=verify-full checks that the server's certificate names the host the DSN connects to: "
                + "use a host name the certificate holds, or give the server a certificate for this one"
        }
        if message.contains("certificate verify failed") {
            let file = rootCertificate.map { "sslrootcert \($0)" } ?? "sslrootcert (default ~/.postgresql/root.crt)"
            return "the server's certificate is not signed by a CA in \(file), or it has expired: "
                + "set sslrootcert to the CA file that signed the server's certificate"
        }
        if message.contains("root certificate file") && message.contains("does not exist") {
            return "sslmode=verify-ca and verify-full need the CA file: set sslrootcert=FILE in the DSN"
        }
        return nil
    }
}
