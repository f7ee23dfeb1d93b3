import PGOutput

/// What a session does with its replication slot, decided from facts alone (the slot as the
/// server describes it, what the user asked for, what the consumer's storage holds) — like
/// ``TimelineGate``, so that every case is tested without a server.
enum SlotDecision: Sendable, Equatable {
    /// Continue the existing slot from its confirmed position; `warnNotFailover` when failover
    /// slots were asked for and this one is not (a promoted standby will not have it).
    case reuse(confirmedFlush: LSN, warnNotFailover: Bool)
    /// Create the slot.
    case create(SlotCreation)
    /// Refuse to go on.
    case refuse(SlotRefusal)

    /// The decision for `existing` (`nil` when the slot does not exist) on a server of
    /// `serverVersion` (`server_version_num`).
    static func decide(
        existing: ExistingSlot?, configuration: StreamConfiguration, resume: ResumePoint, serverVersion: Int
    ) -> SlotDecision {
        let failover = configuration.failoverSlot && !configuration.temporarySlot && serverVersion >= 170000
        let endAfterSnapshot = configuration.snapshot == .initialOnly
        // PostgreSQL 17 does not sync a slot's two_phase_at to standbys: a promoted standby's copy
        // may skip transactions prepared before it (fixed in 18).
        if configuration.twoPhase, (170000..<180000).contains(serverVersion) {
            let keeps = existing.map { gap(in: $0, resume: resume) == nil } ?? false
            if let existing, keeps, existing.failover == true { return .refuse(.twoPhaseOnFailoverSlot(existing: true)) }
            if !keeps && failover { return .refuse(.twoPhaseOnFailoverSlot(existing: false)) }
        }
        func resnapshot(_ replacement: SlotCreation.Replacement) -> SlotDecision {
            .create(
                SlotCreation(
                    snapshot: true, endAfterSnapshot: endAfterSnapshot, temporary: configuration.temporarySlot,
                    failover: failover, replacing: replacement
                ))
        }
        if let existing {
            if let gap = gap(in: existing, resume: resume) {
                let stored = resume.storedPosition ?? existing.confirmedFlush
                guard configuration.onGap == .resnapshot else { return .refuse(.gap(reason: gap, lsn: stored)) }
                return resnapshot(.gap(reason: gap, lsn: stored))
            }
            // An empty store facing a slot that moved on: a target rebuilt from scratch, or a
            // checkpoint lost. pgcdc decides about snapshots here, so it must not guess.
            if resume.storeIsEmpty, configuration.startLSN == nil, configuration.snapshot != .never {
                switch configuration.onEmptyStore {
                case .refuse: return .refuse(.emptyStore(confirmedFlush: existing.confirmedFlush))
                case .resnapshot: return resnapshot(.emptyStore(confirmedFlush: existing.confirmedFlush))
                case .continueFromSlot: break
                }
            }
            if let mode = configuration.snapshot, mode == .initial || mode == .initialOnly {
                return .refuse(.snapshotNeedsNewSlot(mode))
            }
            return .reuse(
                confirmedFlush: existing.confirmedFlush, warnNotFailover: existing.failover == false && configuration.failoverSlot)
        }
        if let stored = resume.storedPosition, stored > .zero, !configuration.temporarySlot {
            guard configuration.onGap == .resnapshot else { return .refuse(.missing(lsn: stored)) }
            return resnapshot(.missing(lsn: stored))
        }
        // Re-copying for an empty store drops the slot first: a crash before the new one is kept
        // leaves none, and the next start creates it again.
        let recreates = resume.storeIsEmpty && configuration.onEmptyStore == .resnapshot
        guard configuration.createSlot || configuration.temporarySlot || recreates else { return .refuse(.notFound) }
        return .create(
            SlotCreation(
                snapshot: configuration.snapshot != .never, endAfterSnapshot: endAfterSnapshot,
                temporary: configuration.temporarySlot, failover: failover, replacing: nil
            ))
    }

    /// Why continuing from `slot` would skip changes the consumer never stored, or `nil` when it
    /// may be continued: an invalidated slot, or one whose consumer confirmed past the checkpoint
    /// (pgcdc only confirms what its checkpoint holds durably, so another consumer of the slot, or
    /// an old copy of the checkpoint, moved it).
    package static func gap(in slot: ExistingSlot, resume: ResumePoint) -> String? {
        if let invalidation = slot.invalidation { return "it was invalidated (\(invalidation))" }
        if resume.checkpointCoversConfirmed, let checkpoint = resume.checkpointLSN, slot.confirmedFlush > checkpoint {
            return "its confirmed position \(slot.confirmedFlush) is past the checkpoint's \(checkpoint): something else consumed "
                + "the changes in between (another consumer of the slot, or the checkpoint is an old copy)"
        }
        return nil
    }
}

/// How a slot is created.
struct SlotCreation: Sendable, Equatable {
    /// Why a slot that pgcdc had stored changes from is replaced by a new one with a snapshot.
    enum Replacement: Sendable, Equatable {
        /// The existing slot cannot continue (``SlotDecision/gap(in:resume:)``): drop it first.
        case gap(reason: String, lsn: LSN)
        /// The slot is missing although changes up to `lsn` were stored from it.
        case missing(lsn: LSN)
        /// The consumer's store is empty and ``StreamConfiguration/onEmptyStore`` asks for a new
        /// copy of the tables: drop the slot (confirmed up to `confirmedFlush`) first. Nothing is lost.
        case emptyStore(confirmedFlush: LSN)
    }

    /// Export a snapshot and copy the published tables before streaming.
    package var snapshot: Bool
    /// Stop once the snapshot is stored (``SnapshotMode/initialOnly``).
    var endAfterSnapshot: Bool
    /// A TEMPORARY slot.
    package var temporary: Bool
    /// A FAILOVER slot (PostgreSQL 17 and later).
    package var failover: Bool
    /// The slot this one replaces, if any.
    var replacing: Replacement?
}

/// Why a session cannot use its slot.
enum SlotRefusal: Sendable, Equatable {
    /// Continuing would skip changes since `lsn`; ``GapPolicy/resnapshot`` would replace the slot.
    case gap(reason: String, lsn: LSN)
    /// The slot is missing although changes up to `lsn` were stored from it.
    case missing(lsn: LSN)
    /// The slot exists (confirmed up to `confirmedFlush`) and the consumer's store is empty
    /// (``EmptyStorePolicy/refuse``).
    case emptyStore(confirmedFlush: LSN)
    /// The slot does not exist and creating it was not asked for.
    case notFound
    /// A snapshot was asked for, which needs a new slot, and the slot exists.
    case snapshotNeedsNewSlot(SnapshotMode)
    /// Two-phase decoding on a failover slot on PostgreSQL 17 (`existing`: the slot exists and is
    /// one; otherwise it would be created as one).
    case twoPhaseOnFailoverSlot(existing: Bool)
}

extension ReplicationError {
    /// The error for a slot the session cannot use.
    init(_ refusal: SlotRefusal, slot: String, host: String) {
        switch refusal {
        case let .gap(reason, lsn):
            self = .slotGap(slot: slot, reason: reason, lsn: lsn, host: host)
        case let .missing(lsn):
            self = .slotMissing(slot: slot, lsn: lsn, host: host)
        case .notFound:
            self = .slotNotFound(slot: slot, host: host)
        case let .emptyStore(confirmedFlush):
            self = .storeEmpty(slot: slot, confirmedFlush: confirmedFlush, host: host)
        case let .snapshotNeedsNewSlot(mode):
            self = .configuration(ConfigurationProblem(SettingValue(.snapshot, ".\(mode)"), needs: .newSlot(slot: slot)))
        case let .twoPhaseOnFailoverSlot(existing):
            self = .configuration(
                ConfigurationProblem(SettingValue(.twoPhase, "true"), needs: .noFailoverSlot(existing: existing ? slot : nil)))
        }
    }
}
