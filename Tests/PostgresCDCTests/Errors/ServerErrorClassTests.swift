import Testing
@testable import PostgresCDC
@testable import PostgresCDCConnection

/// One table says which server errors pass with time, and every path that retries reads it: the
/// stream's reconnects, a backfill's chunk reads and the check of a backfill request.
@Suite struct ServerErrorClassTests {
    static func error(_ sqlState: String?) -> ReplicationError {
        .serverError(command: "SELECT 1", sqlState: sqlState, message: "the server's words", host: "db:5432")
    }

    @Test func eachCodeHasTheClassTheTableGivesIt() {
        #expect(ServerErrorClass(sqlState: "08006") == .connection)
        #expect(ServerErrorClass(sqlState: "08P01") == .connection)
        #expect(ServerErrorClass(sqlState: nil) == .connection)
        #expect(ServerErrorClass(sqlState: "57P01") == .shutdown)
        #expect(ServerErrorClass(sqlState: "57P03") == .shutdown)
        #expect(ServerErrorClass(sqlState: "57P04") == .permanent)
        #expect(ServerErrorClass(sqlState: "57014") == .canceled)
        #expect(ServerErrorClass(sqlState: "53300") == .resources)
        #expect(ServerErrorClass(sqlState: "53400") == .permanent)
        #expect(ServerErrorClass(sqlState: "40001") == .conflict)
        #expect(ServerErrorClass(sqlState: "40P01") == .conflict)
        #expect(ServerErrorClass(sqlState: "55P03") == .conflict)
        #expect(ServerErrorClass(sqlState: "42P01") == .permanent)
        #expect(ServerErrorClass(sqlState: "42703") == .permanent)
    }

    @Test func everyPathRetriesTheSameCodesAndGivesUpOnTheSameCodes() {
        let transient: [String?] = ["57014", "57P01", "08006", "53300", "40001", nil]
        let permanent: [String?] = ["42P01", "42703", "42601", "42501", "57P04", "53400"]
        for (codes, passes) in [(transient, true), (permanent, false)] {
            for code in codes {
                let error = Self.error(code)
                // The stream reconnects.
                #expect(error.mayPassByReconnecting == passes, "reconnect, \(code ?? "none")")
                // A backfill's chunk read retries, and the check of a request passes the error on
                // instead of refusing the condition; both read the same property.
                #expect((error.permanentServerMessage == nil) == passes, "backfill, \(code ?? "none")")
            }
        }
        #expect(Self.error("42P01").permanentServerMessage == "the server's words")
    }

    @Test func errorsThatAreNotTheServersKeepTheirOwnRule() {
        #expect(ReplicationError.connectionLost(host: "db", message: "gone", lastLSN: .zero).mayPassByReconnecting)
        #expect(ReplicationError.connectionLost(host: "db", message: "gone", lastLSN: .zero).permanentServerMessage == nil)
        #expect(!ReplicationError.slotNotFound(slot: "s", host: "db").mayPassByReconnecting)
        #expect(ReplicationError.slotActive(slot: "s", pid: 7, host: "db").mayPassByReconnecting)
    }
}
