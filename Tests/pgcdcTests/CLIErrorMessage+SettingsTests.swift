import PostgresCDC
import Testing
@testable import pgcdc

/// Text the library writes with its setting names reads, from the CLI, with the options that set them.
@Suite struct CLIErrorMessageSettingsTests {
    @Test func doctorFindingsNameTheOptions() {
        let twoPhase =
            "drop it and let pgcdc re-create it without twoPhase = true or with failoverSlot = false, or upgrade to PostgreSQL 18"
        #expect(
            CLIErrorMessage.options(in: twoPhase)
                == "drop it and let pgcdc re-create it without --two-phase or with --no-failover-slot, or upgrade to PostgreSQL 18")
        #expect(
            CLIErrorMessage.options(in: "pgcdc creates it when asked to (createSlot = true) (a failover slot on PG17+)")
                == "pgcdc creates it when asked to (--create-slot) (a failover slot on PG17+)")
        #expect(CLIErrorMessage.options(in: "re-creates it with onGap = .resnapshot.") == "re-creates it with --on-gap resnapshot.")
    }

    @Test func serverSettingsAndUnknownNamesStayAsTheyAre() {
        for text in ["set sync_replication_slots = on", "wal_level = replica: needs logical", "a = b", " = ", "twoPhase = "] {
            #expect(CLIErrorMessage.options(in: text) == text)
        }
    }

    @Test func theNATSSinksReasonsNameItsOptions() {
        #expect(
            CLIErrorMessage.options(in: "the stream does not exist (create it, or set createStream = true)")
                == "the stream does not exist (create it, or pass --nats-create-stream)")
        #expect(
            CLIErrorMessage.options(in: "the stream's subjects [\"a.*\"] do not capture a.*.*; add it to the stream or change subjects")
                == "the stream's subjects [\"a.*\"] do not capture a.*.*; add it to the stream or change --nats-subject")
    }

    @Test func aSinkErrorIsPrintedWithTheOptions() {
        let error = SinkError(
            destination: "NATS stream CDC at nats://h:4222", operation: "use",
            reason: "the stream does not exist (create it, or set createStream = true)")
        #expect(
            CLIErrorMessage.text(for: error)
                == "cannot use NATS stream CDC at nats://h:4222: the stream does not exist (create it, or pass --nats-create-stream)")
    }
}
