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
}
