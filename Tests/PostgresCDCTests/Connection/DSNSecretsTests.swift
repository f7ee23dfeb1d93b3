import Testing
@testable import PostgresCDC
@testable import PostgresCDCConnection

/// No error repeats a password written in a connection string.
@Suite struct DSNSecretsTests {
    @Test func passwordsAreFoundInEveryFormLibpqAccepts() {
        #expect(DSNSecrets.passwords(in: "host=db password=s3cret port=1") == ["s3cret"])
        #expect(DSNSecrets.passwords(in: "host=db password = 'it''s \\' x' port=1") == ["it"])
        #expect(DSNSecrets.passwords(in: "host=db password='a b\\'c' port=1") == ["a b'c"])
        #expect(DSNSecrets.passwords(in: "postgresql://cdc:s3cret@db/app") == ["s3cret"])
        #expect(DSNSecrets.passwords(in: "host=db password s3cret") == ["s3cret"])
        #expect(DSNSecrets.passwords(in: "host=db user=cdc").isEmpty)
    }

    @Test func anUnparsableConnectionStringIsNotEchoed() {
        #expect(throws: ReplicationError.self) {
            try PostgresConnection(dsn: "host=127.0.0.1 password=s3cret portt=1", replication: false)
        }
        for dsn in [
            "host=127.0.0.1 password=s3cret portt=1", "host=127.0.0.1 password s3cret", "postgresql://u:s3cret@127.0.0.1:1/x?bad=1",
        ] {
            do {
                _ = try PostgresConnection(dsn: dsn, replication: false)
                Issue.record("connected with \(dsn)")
            } catch {
                #expect(!"\(error)".contains("s3cret"), "\(error)")
            }
        }
    }
}
