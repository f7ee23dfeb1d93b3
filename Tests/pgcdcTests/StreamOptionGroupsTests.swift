import ArgumentParser
import Testing
@testable import pgcdc

/// Each of `pgcdc stream`'s option groups refuses what it should on its own, with the message the
/// command has always printed, and takes what it should: parsed alone, without a server.
@Suite struct StreamOptionGroupsTests {
    /// The message `Group` prints for `arguments`, or `nil` when they parse and validate.
    static func refusal<Group: ParsableArguments>(_ group: Group.Type, _ arguments: [String]) -> String? {
        do {
            _ = try group.parse(arguments)
            return nil
        } catch {
            return group.message(for: error)
        }
    }

    @Test func theSlotGroupRefusesEmptyNamesStrayTablesAndAnEndBeforeTheStart() {
        let named = ["--slot", "s", "--publication", "p"]
        #expect(Self.refusal(SlotOptions.self, named) == nil)
        #expect(Self.refusal(SlotOptions.self, ["--slot", "", "--publication", "p"]) == "--slot must not be empty")
        #expect(Self.refusal(SlotOptions.self, ["--slot", "s", "--publication", ""]) == "--publication must not be empty")
        #expect(Self.refusal(SlotOptions.self, named + ["--tables", "a"]) == "--tables only applies with --create-publication")
        #expect(
            Self.refusal(SlotOptions.self, named + ["--create-publication", "--tables", "a, ,b"]) == "--tables has an empty name: \"a, ,b\""
        )
        #expect(Self.refusal(SlotOptions.self, named + ["--create-publication", "--tables", "a, b"]) == nil)
        #expect(
            Self.refusal(SlotOptions.self, named + ["--start-lsn", "0/20", "--end-lsn", "0/10"])
                == "--end-lsn 0/10 is before --start-lsn 0/20")
    }

    @Test func theSnapshotGroupTakesOneToSixtyFourJobs() {
        #expect(Self.refusal(SnapshotOptions.self, ["--snapshot-jobs", "64"]) == nil)
        for jobs in ["0", "65"] {
            #expect(Self.refusal(SnapshotOptions.self, ["--snapshot-jobs", jobs]) == "--snapshot-jobs must be between 1 and 64")
        }
    }

    @Test func theFilterGroupRefusesMalformedColumnsAndUnknownOperations() throws {
        #expect(
            Self.refusal(EventFilterOptions.self, ["--exclude-columns", "public.t"])
                == "--exclude-columns takes schema.table.column names: \"public.t\"")
        #expect(
            Self.refusal(EventFilterOptions.self, ["--ops", "insert,upsert"])
                == "--ops: unknown operation \"upsert\" (insert, update, delete, truncate, message, ddl)")
        #expect(Self.refusal(EventFilterOptions.self, ["--ops", " , "]) == "--ops needs at least one operation")
        let filter = try EventFilterOptions.parse(["--include-tables", "public.*, app.t", "--ops", "insert, delete"]).eventFilter()
        #expect(filter.includeTables == ["public.*", "app.t"])
        #expect(filter.operations == [.insert, .delete])
    }

    @Test func theDecodingGroupRefusesWhatTheProtocolVersionCannotCarry() {
        #expect(Self.refusal(DecodingOptions.self, ["--proto-version", "5"]) == "--proto-version must be 1, 2, 3 or 4")
        #expect(
            Self.refusal(DecodingOptions.self, ["--two-phase", "--proto-version", "2"]) == "--two-phase needs --proto-version 3 or later")
        #expect(Self.refusal(DecodingOptions.self, ["--max-memory", "32K"]) == "--max-memory must be at least 64K")
        #expect(Self.refusal(DecodingOptions.self, ["--spill-dir", "/tmp"]) == "--spill-dir only applies with --streaming on or parallel")
        #expect(
            Self.refusal(DecodingOptions.self, ["--streaming", "parallel", "--proto-version", "3"])
                == "--streaming parallel needs --proto-version 4")
        #expect(
            Self.refusal(DecodingOptions.self, ["--streaming", "on", "--proto-version", "1"])
                == "--streaming needs --proto-version 2 or later")
        #expect(Self.refusal(DecodingOptions.self, ["--streaming", "on", "--spill-dir", "/tmp", "--proto-version", "2"]) == nil)
    }

    @Test func theSinkGroupRefusesANegativeFsyncIntervalARotationWithoutAFileAndADirectoryAsCheckpoint() {
        #expect(Self.refusal(SinkOptions.self, ["--fsync-interval=-1"]) == "--fsync-interval must be 0 or a positive number of seconds")
        #expect(Self.refusal(SinkOptions.self, ["--rotate-size", "1M"]) == "--rotate-size only applies with --sink file:PATH")
        #expect(Self.refusal(SinkOptions.self, ["--sink", "file:/tmp/out", "--rotate-size", "1M"]) == nil)
        #expect(Self.refusal(SinkOptions.self, ["--checkpoint", "/tmp/dir/"]) == "--checkpoint needs a file path")
    }

    @Test func theSinkGroupKeepsStateBesideTheCheckpointElseBesideTheOutputFile() throws {
        let both = try SinkOptions.parse(["--sink", "file:/data/out", "--checkpoint", "/data/cp"])
        #expect(both.preparedTransactionsDirectory == "/data/cp.prepared" && both.resumes)
        let file = try SinkOptions.parse(["--sink", "file:/data/out"])
        #expect(file.preparedTransactionsDirectory == "/data/out.prepared" && file.resumes)
        let stdout = try SinkOptions.parse([])
        #expect(stdout.preparedTransactionsDirectory == nil && stdout.backfillStatePath == nil && !stdout.resumes)
    }

    @Test func theOperationsGroupRefusesIntervalsThatAreNotTimes() {
        #expect(Self.refusal(OperationsOptions.self, []) == nil)
        let refused = [
            (["--status-interval", "0"], "--status-interval must be a positive number of seconds"),
            (["--heartbeat-interval", "inf"], "--heartbeat-interval must be a positive number of seconds"),
            (["--slot-check-interval=-1"], "--slot-check-interval must be 0 or a positive number of seconds"),
            (["--wal-retention-warning", "101"], "--wal-retention-warning must be a percentage above 0 and at most 100"),
            (["--reconnect-max-delay", "0"], "--reconnect-max-delay must be a positive number of seconds"),
            (["--server-timeout=-1"], "--server-timeout must be 0 (never) or a number of seconds"),
            (["--reconnect-attempts=-1"], "--reconnect-attempts must be 0 or more"),
        ]
        for (arguments, message) in refused {
            #expect(Self.refusal(OperationsOptions.self, arguments) == message, "\(arguments)")
        }
    }

    @Test func theBackfillGroupRefusesEmptyTablesAndRatesOrChunksOutOfRange() {
        #expect(Self.refusal(BackfillOptions.self, ["--backfill", "a,b"]) == nil)
        #expect(Self.refusal(BackfillOptions.self, ["--backfill", "a, "]) == "--backfill has an empty table name: \"a, \"")
        #expect(
            Self.refusal(BackfillOptions.self, ["--backfill-rate", "0"]) == "--backfill-rate must be a positive number of rows per second")
        #expect(
            Self.refusal(BackfillOptions.self, ["--backfill-chunk-size", "0"]) == "--backfill-chunk-size must be between 1 and 1000000")
    }

    @Test func theNATSGroupAppliesOnlyToANATSSinkAndNeedsAStream() throws {
        let stray = try NATSOptions.parse(["--nats-stream", "CDC"])
        #expect(throws: ValidationError.self) { try stray.validate(for: .stdout) }
        let missing = try NATSOptions.parse([])
        #expect(throws: ValidationError.self) { try missing.validate(for: .nats(servers: ["nats://h:4222"])) }
        let named = try NATSOptions.parse(["--nats-stream", "CDC"])
        try named.validate(for: .nats(servers: ["nats://h:4222"]))
    }
}
