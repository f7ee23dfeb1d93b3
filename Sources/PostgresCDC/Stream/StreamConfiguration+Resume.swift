import PGOutput

extension StreamConfiguration {
    /// This configuration, set to resume after what `checkpoint` and a sink that keeps its own
    /// position (`sinkPosition`) hold: it starts at the latest of them and of ``startLSN``, and
    /// refuses a server of another cluster. A checkpoint of another slot is refused here.
    package func resuming(from checkpoint: Checkpoint?, sinkPosition: LSN? = nil, checkpointName: String) throws(CheckpointError) -> StreamConfiguration {
        var configuration = self
        if let checkpoint {
            guard checkpoint.slot == slot else {
                throw CheckpointError(path: checkpointName, reason: "belongs to slot \"\(checkpoint.slot)\", not \"\(slot)\"")
            }
            configuration.expectedSystemIdentifier = checkpoint.systemIdentifier
            configuration.checkpointTimeline = checkpoint.timeline
            configuration.checkpointLSN = checkpoint.lsn
        }
        // The server skips to its slot's confirmed position anyway; never repeating what the
        // checkpoint or an exactly-once sink holds matters more than an earlier start.
        configuration.startLSN = [startLSN, checkpoint?.lsn, sinkPosition].compactMap { $0 }.max()
        configuration.resumePosition = [checkpoint?.lsn, sinkPosition].compactMap { $0 }.max()
        return configuration
    }

    /// This configuration, set to reconnect after a session of this run that reached `system` and
    /// handed out changes up to `lsn`: the same gates apply as for a checkpoint — another cluster
    /// is refused, an older timeline (an old primary) skipped, a newer one checked against its
    /// history — even when nothing is stored on disk (stdout without a checkpoint, NATS).
    package func continuing(after system: SystemIdentification, through lsn: LSN) -> StreamConfiguration {
        var configuration = self
        if configuration.expectedSystemIdentifier == nil { configuration.expectedSystemIdentifier = system.systemID }
        switch configuration.checkpointTimeline {
        case nil:
            configuration.checkpointTimeline = system.timeline
            configuration.checkpointLSN = lsn
        case let stored? where stored == system.timeline:
            configuration.checkpointLSN = max(configuration.checkpointLSN ?? .zero, lsn)
        case let stored? where stored < system.timeline:
            configuration.checkpointTimeline = system.timeline
            configuration.checkpointLSN = max(configuration.checkpointLSN ?? .zero, lsn)
        default:
            break
        }
        return configuration
    }
}
