import Testing
@testable import pgcdc

/// `--metrics-addr`: the exporters' convention, parsed once.
@Suite struct MetricsAddressTests {
    @Test func aBarePortListensOnEveryInterface() throws {
        let address = try MetricsAddress(parsing: ":9187")
        #expect(address.host == nil && address.port == 9187)
        #expect(try address.socketAddresses().map { $0.ipAddress ?? "" } == ["::", "0.0.0.0"])
    }

    @Test func loopbackLiteralsListenOnLoopbackOnly() throws {
        let four = try MetricsAddress(parsing: "127.0.0.1:9187")
        #expect(four.host == "127.0.0.1" && four.port == 9187)
        let six = try MetricsAddress(parsing: "[::1]:9187")
        #expect(six.host == "::1" && six.port == 9187)
        #expect(six.description == "[::1]:9187")
    }

    @Test func namesBadPortsAndUnbracketedIPv6AreRefusedWithTheReason() {
        for text in ["localhost:9187", "127.0.0.1", "127.0.0.1:99999", "::1:9187", "[::1]", "1.2.3:80"] {
            #expect(throws: MetricsAddress.Failure.self, "\(text)") { try MetricsAddress(parsing: text) }
        }
    }
}
