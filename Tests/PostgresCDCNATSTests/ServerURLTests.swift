import PostgresCDC
import Testing
@testable import PostgresCDCNATS

/// No password or token of a NATS URL reaches an error.
@Suite struct ServerURLTests {
    @Test func credentialsAreReplacedAndPlainURLsKept() {
        #expect(ServerURL.redacted("nats://user:s3cret@host:4222") == "nats://***@host:4222")
        #expect(ServerURL.redacted("tls://t0ken@host:4222") == "tls://***@host:4222")
        #expect(ServerURL.redacted("nats://user:p@ss/w0rd@host:4222") == "nats://***@host:4222")
        #expect(ServerURL.redacted("nats://127.0.0.1:4222") == "nats://127.0.0.1:4222")
    }

    @Test func aServerThatCannotBeReachedIsNamedWithoutItsPassword() {
        let sink = NATSSink(configuration: NATSSink.Configuration(servers: ["nats://user:s3cret@127.0.0.1:1"], stream: "CDC"))
        let error = #expect(throws: SinkError.self) { try sink.open() }
        let text = error?.description ?? ""
        #expect(text.contains("NATS stream CDC at nats://***@127.0.0.1:1"), "\(text)")
        #expect(!text.contains("s3cret"), "\(text)")
    }
}
