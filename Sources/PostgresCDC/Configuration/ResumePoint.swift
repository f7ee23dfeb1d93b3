import PGOutput

/// Where a session starts and what the run has learned that every connect must check: the
/// position the consumer's storage holds, the cluster and timeline it came from. Apart from
/// ``StreamConfiguration``, which stays what the user asked for.
package struct ResumePoint: Sendable, Equatable {
    /// Where to ask the server to start: the latest of the configured start, the checkpoint and the
    /// sink's own position; `nil` starts at the slot's confirmed position.
    package var startLSN: LSN?
    /// The position a checkpoint or the sink holds, when resuming; `nil` for a fresh start.
    var storedPosition: LSN?
    /// The cluster the stored positions belong to: a server that reports another system
    /// identifier is refused, since its LSNs mean something else. `nil` accepts any server.
    var expectedSystemIdentifier: String?
    /// The timeline and position of what was stored or handed out: checked against the server's
    /// timeline history on every connect (see ``TimelineGate``).
    var checkpointTimeline: UInt32?
    var checkpointLSN: LSN?
    /// Whether the checkpoint holds every position the server was ever told (pgcdc's own
    /// checkpoint recorder does), so that a slot confirmed past it means changes were lost.
    var checkpointCoversConfirmed = false
    /// The consumer has a store (a checkpoint store, or a sink that is its own checkpoint) and it
    /// holds no position, on the run's first connect: see ``EmptyStorePolicy``.
    var storeIsEmpty = false

    /// A fresh start: what the configuration asks for, nothing stored.
    package init(_ configuration: StreamConfiguration) {
        startLSN = configuration.startLSN
        expectedSystemIdentifier = configuration.expectedSystemIdentifier
    }

    /// This point, set to resume after what `checkpoint` and a sink that keeps its own position
    /// (`sinkPosition`) hold: it starts at the latest of them and of ``startLSN``, and refuses a
    /// server of another cluster. A checkpoint of another slot than `slot` is refused here.
    /// `hasStore`: the consumer keeps its position somewhere (so `nil`s mean an empty store).
    func resuming(
        from checkpoint: Checkpoint?, sinkPosition: LSN? = nil, hasStore: Bool, slot: String, checkpointName: String
    ) throws(CheckpointError) -> ResumePoint {
        var point = self
        point.storeIsEmpty = hasStore && checkpoint == nil && sinkPosition == nil
        if let checkpoint {
            guard checkpoint.slot == slot else {
                var error = CheckpointError(
                    path: checkpointName,
                    reason: "belongs to slot \"\(checkpoint.slot)\", not \"\(slot)\"; is the slot name misspelt? A checkpoint keeps one "
                        + "slot's position: give slot \"\(slot)\" a checkpoint of its own to start it afresh")
                error.slotMismatch = CheckpointError.SlotMismatch(slot: slot, storedSlots: [checkpoint.slot])
                throw error
            }
            point.expectedSystemIdentifier = checkpoint.systemIdentifier
            point.checkpointTimeline = checkpoint.timeline
            point.checkpointLSN = checkpoint.lsn
        }
        // The server skips to its slot's confirmed position anyway; never repeating what the
        // checkpoint or an exactly-once sink holds matters more than an earlier start.
        point.startLSN = [startLSN, checkpoint?.lsn, sinkPosition].compactMap { $0 }.max()
        point.storedPosition = [checkpoint?.lsn, sinkPosition].compactMap { $0 }.max()
        return point
    }

    /// This point, set to reconnect after a session of this run that reached `system` and handed
    /// out changes up to `lsn`: the same gates apply as for a checkpoint — another cluster is
    /// refused, an older timeline (an old primary) skipped, a newer one checked against its
    /// history — even when nothing is stored on disk (stdout without a checkpoint, NATS).
    func continuing(after system: SystemIdentification, through lsn: LSN) -> ResumePoint {
        var point = self
        // The run's first connect decided about an empty store already.
        point.storeIsEmpty = false
        if point.expectedSystemIdentifier == nil { point.expectedSystemIdentifier = system.systemID }
        switch point.checkpointTimeline {
        case nil:
            point.checkpointTimeline = system.timeline
            point.checkpointLSN = lsn
        case let stored? where stored <= system.timeline:
            point.checkpointTimeline = system.timeline
            point.checkpointLSN = max(point.checkpointLSN ?? .zero, lsn)
        default:
            break
        }
        return point
    }
}
