import Testing
@testable import PostgresCDC
@testable import PostgresCDCConnection

/// The sentence added to libpq's TLS failures, without a server.
@Suite struct TLSFailureHintTests {
    @Test func aNameMismatchSaysThatVerifyFullChecksTheHostName() {
        let message =
            #"connection to server at "127.0.0.1", port 5432 failed: server certificate for "localhost" "#
            + #"(and 1 other name) does not match host name "db.example.com""#
        let hint = TLSFailureHint.hint(for: message, rootCertificate: "/etc/ca.crt") ?? ""
        #expect(hint.hasPrefix("sslmode=verify-full checks that the server's certificate names the host"))
    }

    @Test func anUntrustedCertificateNamesTheRootCertificateFileInUse() {
        let message = #"connection to server at "127.0.0.1", port 5432 failed: SSL error: certificate verify failed"#
        #expect(
            TLSFailureHint.hint(for: message, rootCertificate: "/etc/ca.crt")?.contains("not signed by a CA in sslrootcert /etc/ca.crt")
                == true)
        #expect(TLSFailureHint.hint(for: message, rootCertificate: nil)?.contains("default ~/.postgresql/root.crt") == true)
    }

    @Test func otherFailuresGetNoHint() {
        #expect(TLSFailureHint.hint(for: "FATAL: password authentication failed for user \"app\"", rootCertificate: nil) == nil)
    }
}
