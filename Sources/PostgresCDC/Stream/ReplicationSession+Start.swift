#if canImport(Glibc)
import Glibc
#endif
import Logging
import PGOutput

/// Starting the stream: pgoutput's options from the configuration, checked against the server.
extension ReplicationSession {
    /// `START_REPLICATION` with pgoutput's options.
    func startStreaming() throws(ReplicationError) {
        let server = connection.serverVersion
        let supported = server >= 160000 ? 4 : server >= 150000 ? 3 : server >= 140000 ? 2 : 1
        let version = configuration.protocolVersion ?? supported
        let here = ServerVersion(host: serverAddress, majorVersion: server / 10000)
        func problem(_ subject: SettingValue, needs requirement: ConfigurationProblem.Requirement) -> ReplicationError {
            .configuration(ConfigurationProblem(subject, needs: requirement, server: here))
        }
        guard (1...4).contains(version) else {
            throw .configuration(
                ConfigurationProblem(SettingValue(.protocolVersion, String(version)), needs: .oneOf(["1", "2", "3", "4"])))
        }
        guard version <= supported else {
            throw problem(SettingValue(.protocolVersion, String(version)), needs: .newerServer(supportedProtocol: supported))
        }
        var options: [(String, String)] = [
            ("proto_version", String(version)),
            ("publication_names", try connection.quoteIdentifier(configuration.publication)),
        ]
        // Backfill requests and watermarks travel as messages: on whenever backfills are possible.
        if configuration.includeMessages || backfills != nil { options.append(("messages", "true")) }
        switch configuration.streaming {
        case .off:
            break
        case .on:
            guard version >= 2 else {
                throw problem(SettingValue(.streaming, ".on"), needs: .protocolVersion(minimum: 2, minimumServer: nil))
            }
            options.append(("streaming", "on"))
        case .parallel:
            guard version >= 4 else {
                throw problem(SettingValue(.streaming, ".parallel"), needs: .protocolVersion(minimum: 4, minimumServer: 16))
            }
            options.append(("streaming", "parallel"))
        }
        assembler.abortHasPosition = configuration.streaming == .parallel
        switch configuration.binaryValues {
        case true?:
            guard server >= 140000 else {
                throw problem(SettingValue(.binaryValues, "true"), needs: .server(minimum: 14))
            }
            assembler.binaryValues = true
        case false?:
            assembler.binaryValues = false
        case nil:
            if server >= 140000 {
                assembler.binaryValues = try ReplicationSetup.publishedTypesConvertFromBinary(
                    configuration, catalog: assembler.catalog, on: connection)
            }
        }
        if assembler.binaryValues { options.append(("binary", "true")) }
        if configuration.twoPhase {
            guard version >= 3 else {
                throw problem(SettingValue(.twoPhase, "true"), needs: .protocolVersion(minimum: 3, minimumServer: 15))
            }
            options.append(("two_phase", "on"))
        }
        if configuration.localChangesOnly {
            guard server >= 160000 else {
                throw problem(SettingValue(.localChangesOnly, "true"), needs: .server(minimum: 16))
            }
            options.append(("origin", "none"))
        }
        if createdFailoverSlot { nudgeStandbyCopies() }
        try connection.startLogicalReplication(slot: configuration.slot, start: startLSN, options: options)
        logger.info(
            "streaming",
            metadata: [
                "slot": "\(configuration.slot)", "publication": "\(configuration.publication)", "proto_version": "\(version)",
                "values": "\(assembler.binaryValues ? "binary" : "text")",
                "host": "\(serverAddress)", "lsn": "\(startLSN)", "timeline": "\(system.timeline)",
            ])
        state.streamingStarted(now: FileIO.monotonicNanoseconds())
    }

    /// A standby's synced copy of a new failover slot stays temporary — and is dropped at
    /// promotion — until the standby can build a consistent snapshot between the slot's restart
    /// and confirmed positions, which needs a running-transactions record in that range. Asking the
    /// primary to log one now (`pg_log_standby_snapshot()`) lets the copy become persistent as soon
    /// as pgcdc confirms past it (it confirms the server's WAL position while idle). Best effort:
    /// without the privilege the copy becomes persistent at the server's next such record.
    func nudgeStandbyCopies() {
        do {
            let lsn =
                try connection.query("SELECT pg_catalog.pg_log_standby_snapshot()", describedAs: "pg_log_standby_snapshot()").rows.first?
                .first ?? nil
            logger.info(
                "logged a standby snapshot so that standbys keep the new failover slot",
                metadata: ["slot": "\(configuration.slot)", "lsn": "\(lsn ?? "?")"])
        } catch {
            logger.warning(
                "could not log a standby snapshot; the standbys' copy of the new slot becomes persistent at the server's next one",
                metadata: ["error": "\(error)"])
        }
    }

    /// Whether column values arrive in binary (decided when streaming starts; see ``StreamConfiguration/binaryValues``).
    package var usesBinaryValues: Bool { assembler.binaryValues }

    /// Where streamed transactions spill: checked to be a writable directory before streaming starts.
    static func spillDirectory(_ configuration: StreamConfiguration) throws(ReplicationError) -> String {
        let directory = configuration.spillDirectory ?? "/tmp"
        var info = stat()
        guard stat(directory, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR, access(directory, W_OK) == 0 else {
            throw .configuration(ConfigurationProblem(SettingValue(.spillDirectory, directory), needs: .writableDirectory))
        }
        return directory
    }

    /// Gate on every connect: may the checkpoint's position be continued on this server's timeline?
    static func checkTimeline(_ resume: ResumePoint, system: SystemIdentification, connection: PostgresConnection, logger: Logger)
        throws(ReplicationError)
    {
        guard let stored = resume.checkpointTimeline, stored > 0, let storedLSN = resume.checkpointLSN else { return }
        let history = system.timeline > stored ? try connection.timelineHistory(system.timeline) : nil
        let host = connection.serverAddress
        switch TimelineGate.decide(storedTimeline: stored, storedLSN: storedLSN, serverTimeline: system.timeline, history: history) {
        case .proceed:
            if system.timeline != stored {
                logger.warning(
                    "continuing on a new timeline",
                    metadata: [
                        "host": "\(host)", "timeline": "\(system.timeline)", "checkpoint_timeline": "\(stored)", "lsn": "\(storedLSN)",
                    ])
            }
        case let .olderTimeline(server, checkpoint):
            throw .oldPrimary(timeline: server, checkpointTimeline: checkpoint, host: host)
        case let .aheadOfNewPrimary(timeline, switchPoint, checkpoint):
            throw .timelineMismatch(
                reason:
                    "timeline \(timeline) ended at \(switchPoint) here, but the checkpoint is at \(checkpoint): the changes between "
                    + "\(switchPoint) and \(checkpoint) were delivered but never reached this new primary (and LSNs after "
                    + "\(switchPoint) are reused on timeline \(system.timeline)); refusing to continue",
                host: host
            )
        case let .unknownHistory(timeline):
            throw .timelineMismatch(
                reason:
                    "its timeline history (timeline \(system.timeline)) does not mention the checkpoint's timeline \(timeline); "
                    + "refusing to continue",
                host: host)
        }
    }
}
