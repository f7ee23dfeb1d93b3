import Foundation
import TestSupport
import Testing

/// `--keyless-tables`: a published table whose updates and deletes carry no key.
@Suite struct KeylessTablesCLITests {
    @Test func refuseExitsNonZeroNamingTheTableAndWarnSaysItOnStderr() throws {
        let setup = try SlotDatabase.make("CREATE TABLE keyless (a int); CREATE PUBLICATION pub FOR TABLE keyless;")
        defer { setup.remove() }
        let refused = try CLIProcess.run(setup.arguments(["--keyless-tables", "refuse"]))
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("table public.keyless is published but it has no primary key"), "\(refused.stderr)")
        #expect(refused.stderr.contains("ALTER TABLE public.keyless REPLICA IDENTITY FULL"), "\(refused.stderr)")
        #expect(refused.stderr.contains("--keyless-tables warn"), "\(refused.stderr)")
        #expect(refused.stdout.isEmpty)

        let end = try setup.currentLSN()
        let warned = try CLIProcess.run(setup.arguments(["--end-lsn", end]))
        #expect(warned.status == 0, "\(warned.stderr)")
        #expect(warned.stderr.contains("has no key"), "\(warned.stderr)")
        #expect(warned.stderr.contains("public.keyless"), "\(warned.stderr)")
    }
}
