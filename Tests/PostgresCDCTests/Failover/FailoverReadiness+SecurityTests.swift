import Testing
@testable import PostgresCDC

/// `pgcdc doctor`'s `tls` finding on hand-built facts: verified TLS and a local socket are fine;
/// plain TCP and TLS that checks nothing are warned about, with what to set.
@Suite struct FailoverReadinessSecurityTests {
    static func tlsFinding(_ security: ConnectionSecurity?) -> Finding? {
        let facts = HostFacts(
            host: "db1:5432", role: .primary, serverVersion: 180001, settings: ["wal_level": "logical"], security: security)
        return FailoverReadiness.findings(for: facts, slot: nil).first { $0.check == "tls" }
    }

    @Test func verifiedTLSIsOkWithItsProtocolAndCipher() {
        let finding = Self.tlsFinding(.tls(protocolVersion: "TLSv1.3", cipher: "TLS_AES_256_GCM_SHA384", sslMode: "verify-full"))
        #expect(finding?.level == .ok)
        #expect(finding?.detail == "encrypted (TLSv1.3, TLS_AES_256_GCM_SHA384); server certificate verified (sslmode=verify-full)")
    }

    @Test func tlsThatDoesNotCheckTheCertificateIsAWarning() {
        let finding = Self.tlsFinding(.tls(protocolVersion: "TLSv1.3", cipher: "TLS_AES_256_GCM_SHA384", sslMode: "require"))
        #expect(finding?.level == .warn)
        #expect(finding?.detail.contains("but sslmode=require does not check the server's certificate") == true)
    }

    @Test func plainTCPIsAWarningThatSaysWhatToSet() {
        let finding = Self.tlsFinding(.plain(sslMode: "prefer"))
        #expect(finding?.level == .warn)
        #expect(finding?.detail.hasPrefix("not encrypted: plain TCP (sslmode=prefer); set ssl = on on the server") == true)
    }

    @Test func aUnixSocketIsOkAndUnknownSecurityGivesNoFinding() {
        #expect(Self.tlsFinding(.socket)?.level == .ok)
        #expect(Self.tlsFinding(nil) == nil)
    }
}
