import PGOutput
import Testing
@testable import PostgresCDC
@testable import PostgresCDCConnection

/// Library errors name the library's settings, never a CLI option.
@Suite struct ReplicationErrorTests {
    static let server = ServerVersion(host: "db:5432", majorVersion: 15)

    static let samples: [ReplicationError] = [
        .slotNotFound(slot: "s", host: "db:5432"),
        .publicationNotFound(publication: "p", database: "app"),
        .slotMissing(slot: "s", lsn: LSN(0x10), host: "db:5432"),
        .slotGap(slot: "s", reason: "it was invalidated: wal_removed", lsn: LSN(0x10), host: "db:5432"),
        .slotHasTwoPhase(slot: "s"),
        .binaryColumnUnsupported(table: "public.doc", column: "body", typeOID: 3614, lsn: LSN(0x10)),
        .configuration(ConfigurationProblem(SettingValue(.protocolVersion, "7"), needs: .oneOf(["1", "2", "3", "4"]))),
        .configuration(
            ConfigurationProblem(SettingValue(.protocolVersion, "4"), needs: .newerServer(supportedProtocol: 3), server: server)),
        .configuration(ConfigurationProblem(SettingValue(.streaming, ".on"), needs: .protocolVersion(minimum: 2, minimumServer: nil))),
        .configuration(
            ConfigurationProblem(
                SettingValue(.streaming, ".parallel"), needs: .protocolVersion(minimum: 4, minimumServer: 16),
                server: server)),
        .configuration(ConfigurationProblem(SettingValue(.binaryValues, "true"), needs: .server(minimum: 14), server: server)),
        .configuration(
            ConfigurationProblem(SettingValue(.twoPhase, "true"), needs: .setting(SettingValue(.preparedTransactionsDirectory)))),
        .configuration(ConfigurationProblem(SettingValue(.spillDirectory, "/x"), needs: .writableDirectory)),
        .configuration(ConfigurationProblem(SettingValue(.tables, "a..b"), needs: .tableName)),
        .configuration(ConfigurationProblem(SettingValue(.snapshot, ".initialOnly"), needs: .newSlot(slot: "s"))),
    ]

    @Test func libraryErrorsNameSettingsNotCommandLineOptions() {
        for error in Self.samples {
            #expect(!"\(error)".contains("--"), "\(error)")
        }
    }

    @Test func aConfigurationProblemSaysWhatTheSettingNeedsAndWhereItWasDecided() {
        #expect(
            "\(Self.samples[9])" == "streaming = .parallel needs protocolVersion = 4 or later and PostgreSQL 16 or later "
                + "(db:5432 runs PostgreSQL 15)")
        #expect(
            "\(Self.samples[7])"
                == "protocolVersion = 4 needs a newer server: db:5432 runs PostgreSQL 15, which speaks pgoutput up to version 3")
        #expect("\(Self.samples[3])".contains("use onGap = .resnapshot to drop and re-create it"))
        #expect("\(Self.samples[0])".contains("(create it with createSlot = true)"))
    }
}
