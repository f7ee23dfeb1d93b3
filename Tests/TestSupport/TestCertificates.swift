import Foundation
import PostgresCDCTesting

/// A throwaway certificate authority and the certificates the TLS tests use, made once per test
/// process with `openssl` in a temporary directory (EC P-256 keys: milliseconds each).
package struct TestCertificates: Sendable {
    /// The directory holding every file.
    package var directory: String
    /// The CA that signed the server and client certificates: what `sslrootcert` / `--nats-tls-ca` trust.
    package var authority: String { directory + "/ca.crt" }
    /// A second CA that signed nothing here: trusting it alone makes the server's certificate untrusted.
    package var otherAuthority: String { directory + "/other-ca.crt" }
    /// The server's certificate, for `localhost` and `127.0.0.1` (CN and subject alternative names).
    package var serverCertificate: String { directory + "/server.crt" }
    /// The server certificate's key.
    package var serverKey: String { directory + "/server.key" }
    /// A client certificate with CN `postgres` (the user it authenticates as with `cert`).
    package var clientCertificate: String { directory + "/client.crt" }
    /// The client certificate's key (mode 0600, as libpq demands of a key it reads).
    package var clientKey: String { directory + "/client.key" }

    /// The certificates of this test process, made on first use.
    package static func shared() throws -> TestCertificates {
        try made.get()
    }

    private static let made: Result<TestCertificates, Error> = Result { try make() }

    private static func make() throws -> TestCertificates {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pgcdc-certs-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        atexit { TestCertificates.removeMade() }
        let certificates = TestCertificates(directory: directory)
        try certificates.authority(named: "ca", subject: "/CN=pgcdc test CA")
        try certificates.authority(named: "other-ca", subject: "/CN=pgcdc untrusted CA")
        try certificates.signed(named: "server", subject: "/CN=localhost", extensions: "subjectAltName=DNS:localhost,IP:127.0.0.1")
        try certificates.signed(named: "client", subject: "/CN=postgres", extensions: "extendedKeyUsage=clientAuth")
        for name in ["ca", "other-ca", "server", "client"] {
            _ = chmod(directory + "/\(name).key", 0o600)
            _ = chmod(directory + "/\(name).crt", 0o644)
        }
        _ = chmod(directory, 0o755)
        return certificates
    }

    private static func removeMade() {
        if case let .success(certificates) = made { try? FileManager.default.removeItem(atPath: certificates.directory) }
    }

    private func authority(named name: String, subject: String) throws {
        try openssl([
            "req", "-x509", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
            "-subj", subject, "-keyout", "\(directory)/\(name).key", "-out", "\(directory)/\(name).crt",
        ])
    }

    private func signed(named name: String, subject: String, extensions: String) throws {
        let request = "\(directory)/\(name).csr"
        let extensionFile = "\(directory)/\(name).ext"
        try Data((extensions + "\n").utf8).write(to: URL(fileURLWithPath: extensionFile))
        try openssl([
            "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-subj", subject,
            "-keyout", "\(directory)/\(name).key", "-out", request,
        ])
        try openssl([
            "x509", "-req", "-in", request, "-CA", authority, "-CAkey", "\(directory)/ca.key", "-CAcreateserial", "-days", "2",
            "-extfile", extensionFile, "-out", "\(directory)/\(name).crt",
        ])
    }

    private func openssl(_ arguments: [String]) throws {
        let executable = ["/usr/bin/openssl", "/usr/local/bin/openssl"].first { FileManager.default.isExecutableFile(atPath: $0) }
        try ProcessRunner.check("openssl \(arguments[0])", try ProcessRunner.run(executable ?? "/usr/bin/openssl", arguments))
    }
}
