import PGOutput
import PostgresCDC
import Testing
@testable import pgcdc

/// The CLI renders the library's errors with its own option names.
@Suite struct CLIErrorMessageTests {
    static let server = ServerVersion(host: "db:5432", majorVersion: 15)

    @Test func everySettingHasAnOption() {
        for setting in StreamSetting.allCases {
            #expect(CLIErrorMessage.option(SettingValue(setting)).hasPrefix("--"), "\(setting)")
        }
    }

    @Test func settingsBecomeTheOptionsThatSetThem() {
        let parallel = ReplicationError.configuration(
            ConfigurationProblem(
                SettingValue(.streaming, ".parallel"), needs: .protocolVersion(minimum: 4, minimumServer: 16), server: Self.server
            ))
        #expect(
            CLIErrorMessage.text(for: parallel)
                == "--streaming parallel needs --proto-version 4 or later and PostgreSQL 16 or later (db:5432 runs PostgreSQL 15)")
        let origin = ReplicationError.configuration(
            ConfigurationProblem(
                SettingValue(.localChangesOnly, "true"), needs: .server(minimum: 16), server: Self.server
            ))
        #expect(CLIErrorMessage.text(for: origin) == "--origin none needs PostgreSQL 16 or later; db:5432 runs PostgreSQL 15")
        let snapshot = ReplicationError.configuration(
            ConfigurationProblem(SettingValue(.snapshot, ".initialOnly"), needs: .newSlot(slot: "s")))
        #expect(
            CLIErrorMessage.text(for: snapshot)
                == "--snapshot initial-only needs a new slot, and \"s\" exists: drop it or use --snapshot never")
        #expect(CLIErrorMessage.text(for: ReplicationError.slotHasTwoPhase(slot: "s")).hasSuffix("use --two-phase"))
        #expect(CLIErrorMessage.text(for: ReplicationError.slotNotFound(slot: "s", host: "h")).hasSuffix("(create it with --create-slot)"))
        let gap = ReplicationError.slotGap(slot: "s", reason: "it was invalidated", lsn: LSN(1), host: "h")
        #expect(CLIErrorMessage.text(for: gap).contains("use --on-gap resnapshot to drop and re-create it"))
        let twoPhase = ReplicationError.configuration(
            ConfigurationProblem(
                SettingValue(.twoPhase, "true"), needs: .setting(SettingValue(.preparedTransactionsDirectory))
            ))
        #expect(CLIErrorMessage.text(for: twoPhase) == "--two-phase needs --checkpoint FILE or --sink file:PATH")
        let failover = CLIErrorMessage.text(
            for: ReplicationError.configuration(
                ConfigurationProblem(SettingValue(.twoPhase, "true"), needs: .noFailoverSlot(existing: nil))))
        #expect(failover.hasPrefix("--two-phase cannot be used with a failover slot (--failover-slot) on PostgreSQL 17"), "\(failover)")
        #expect(failover.hasSuffix("use --no-failover-slot, or PostgreSQL 18, which fixes this"), "\(failover)")
        let binary = ReplicationError.binaryColumnUnsupported(table: "public.doc", column: "body", typeOID: 3614, lsn: LSN(0x10))
        #expect(
            CLIErrorMessage.text(for: binary) == "--binary: column public.doc.body has type OID 3614, whose binary form pgcdc cannot "
                + "turn into text (at LSN 0/10); use --no-binary (without --binary, pgcdc picks text values on its next start), "
                + "or leave the column out with --exclude-columns")
    }
}
