import PGOutput
import Testing
@testable import PostgresCDC

/// What a session does with its slot, decided from facts alone.
@Suite struct SlotDecisionTests {
    static func configuration(_ change: (inout StreamConfiguration) -> Void = { _ in }) -> StreamConfiguration {
        var configuration = StreamConfiguration(dsn: "", slot: "s", publication: "p")
        change(&configuration)
        return configuration
    }

    static func decide(
        _ existing: ExistingSlot?, _ configuration: StreamConfiguration, stored: LSN? = nil, covers: Bool = false, version: Int = 150000,
        emptyStore: Bool = false
    ) -> SlotDecision {
        var resume = ResumePoint(configuration)
        if let stored {
            resume =
                (try? resume.resuming(
                    from: Checkpoint(lsn: stored, slot: "s", systemIdentifier: "1", timeline: 1), hasStore: true, slot: "s",
                    checkpointName: "cp"
                )) ?? resume
            resume.checkpointCoversConfirmed = covers
        } else if emptyStore {
            resume = (try? resume.resuming(from: nil, hasStore: true, slot: "s", checkpointName: "cp")) ?? resume
        }
        return SlotDecision.decide(existing: existing, configuration: configuration, resume: resume, serverVersion: version)
    }

    @Test func anEmptyStoreFacingAnExistingSlotIsRefusedByDefault() {
        let slot = ExistingSlot(confirmedFlush: LSN(0x10))
        #expect(
            Self.decide(slot, Self.configuration { $0.createSlot = true }, emptyStore: true)
                == .refuse(.emptyStore(confirmedFlush: LSN(0x10))))
        // Without a store (stdout), the slot is continued, as pg_recvlogical does.
        #expect(Self.decide(slot, Self.configuration()) == .reuse(confirmedFlush: LSN(0x10), warnNotFailover: false))
        // A store that holds a position resumes from it.
        #expect(Self.decide(slot, Self.configuration(), stored: LSN(0x10)) == .reuse(confirmedFlush: LSN(0x10), warnNotFailover: false))
    }

    @Test func anEmptyStoreIsNotAskedAboutWhenTheConfigurationAlreadyDecided() {
        let slot = ExistingSlot(confirmedFlush: LSN(0x10))
        let reuse = SlotDecision.reuse(confirmedFlush: LSN(0x10), warnNotFailover: false)
        #expect(Self.decide(slot, Self.configuration { $0.snapshot = .never }, emptyStore: true) == reuse)
        #expect(Self.decide(slot, Self.configuration { $0.startLSN = LSN(0x20) }, emptyStore: true) == reuse)
        #expect(Self.decide(slot, Self.configuration { $0.onEmptyStore = .continueFromSlot }, emptyStore: true) == reuse)
        #expect(
            Self.decide(slot, Self.configuration { $0.snapshot = .whenNeeded }, emptyStore: true)
                == .refuse(.emptyStore(confirmedFlush: LSN(0x10))))
    }

    @Test func anEmptyStoreWithResnapshotDropsTheSlotAndCopiesTheTablesAgain() {
        let resnapshot = Self.configuration { $0.onEmptyStore = .resnapshot }
        guard case .create(let creation) = Self.decide(ExistingSlot(confirmedFlush: LSN(0x10)), resnapshot, emptyStore: true) else {
            Issue.record("the slot is re-created")
            return
        }
        #expect(creation.snapshot)
        #expect(creation.replacing == .emptyStore(confirmedFlush: LSN(0x10)))
        // A crash after the drop leaves no slot: the next start creates it, even without createSlot.
        guard case .create(let again) = Self.decide(nil, resnapshot, emptyStore: true) else {
            Issue.record("the missing slot is created")
            return
        }
        #expect(again.snapshot && again.replacing == nil)
        #expect(Self.decide(nil, Self.configuration(), emptyStore: true) == .refuse(.notFound))
    }

    @Test func anExistingSlotIsContinuedFromItsConfirmedPosition() {
        #expect(
            Self.decide(ExistingSlot(confirmedFlush: LSN(0x10)), Self.configuration())
                == .reuse(confirmedFlush: LSN(0x10), warnNotFailover: false))
        #expect(
            Self.decide(ExistingSlot(confirmedFlush: LSN(0x10), failover: false), Self.configuration(), version: 170000)
                == .reuse(confirmedFlush: LSN(0x10), warnNotFailover: true))
        #expect(
            Self.decide(ExistingSlot(confirmedFlush: LSN(0x10), failover: false), Self.configuration { $0.failoverSlot = false })
                == .reuse(confirmedFlush: LSN(0x10), warnNotFailover: false))
    }

    @Test func twoPhaseOnAFailoverSlotIsRefusedOnPostgres17Only() {
        let twoPhase = Self.configuration {
            $0.twoPhase = true
            $0.createSlot = true
        }
        let failoverSlot = ExistingSlot(confirmedFlush: LSN(0x10), failover: true)
        #expect(Self.decide(nil, twoPhase, version: 170005) == .refuse(.twoPhaseOnFailoverSlot(existing: false)))
        #expect(Self.decide(failoverSlot, twoPhase, version: 170005) == .refuse(.twoPhaseOnFailoverSlot(existing: true)))
        // An existing failover slot is refused even with failoverSlot = false: it stays one.
        var withoutFailover = twoPhase
        withoutFailover.failoverSlot = false
        #expect(Self.decide(failoverSlot, withoutFailover, version: 170005) == .refuse(.twoPhaseOnFailoverSlot(existing: true)))
        if case .create(let creation) = Self.decide(nil, withoutFailover, version: 170005) {
            #expect(!creation.failover)
        } else {
            Issue.record("a slot without FAILOVER is created")
        }
        let plainSlot = ExistingSlot(confirmedFlush: LSN(0x10), failover: false)
        #expect(Self.decide(plainSlot, twoPhase, version: 170005) == .reuse(confirmedFlush: LSN(0x10), warnNotFailover: true))
        // PostgreSQL 18 syncs two_phase_at; before 17 there are no failover slots.
        if case .create(let creation) = Self.decide(nil, twoPhase, version: 180001) {
            #expect(creation.failover)
        } else {
            Issue.record("18")
        }
        #expect(Self.decide(failoverSlot, twoPhase, version: 180001) == .reuse(confirmedFlush: LSN(0x10), warnNotFailover: false))
        if case .create = Self.decide(nil, twoPhase, version: 160004) {} else { Issue.record("16 creates") }
        let message = ReplicationError(.twoPhaseOnFailoverSlot(existing: true), slot: "cdc", host: "db1").description
        #expect(
            message.contains("twoPhase = true cannot be used with a failover slot (failoverSlot = true) on PostgreSQL 17"), "\(message)")
        #expect(message.contains("drop slot \"cdc\" (a failover slot) and start again with failoverSlot = false"), "\(message)")
    }

    @Test func aMissingSlotIsCreatedOnlyWhenAskedWithASnapshotByDefault() {
        #expect(Self.decide(nil, Self.configuration()) == .refuse(.notFound))
        #expect(
            Self.decide(nil, Self.configuration { $0.createSlot = true })
                == .create(SlotCreation(snapshot: true, endAfterSnapshot: false, temporary: false, failover: false, replacing: nil)))
        #expect(
            Self.decide(
                nil,
                Self.configuration {
                    $0.createSlot = true; $0.snapshot = .never
                }, version: 170000)
                == .create(SlotCreation(snapshot: false, endAfterSnapshot: false, temporary: false, failover: true, replacing: nil)))
        #expect(
            Self.decide(
                nil,
                Self.configuration {
                    $0.temporarySlot = true; $0.snapshot = .initialOnly
                }, version: 180000)
                == .create(SlotCreation(snapshot: true, endAfterSnapshot: true, temporary: true, failover: false, replacing: nil)))
    }

    @Test func aSnapshotNeedsANewSlot() {
        let slot = ExistingSlot(confirmedFlush: LSN(0x10))
        #expect(Self.decide(slot, Self.configuration { $0.snapshot = .initial }) == .refuse(.snapshotNeedsNewSlot(.initial)))
        #expect(Self.decide(slot, Self.configuration { $0.snapshot = .initialOnly }) == .refuse(.snapshotNeedsNewSlot(.initialOnly)))
        #expect(
            Self.decide(slot, Self.configuration { $0.snapshot = .whenNeeded }) == .reuse(confirmedFlush: LSN(0x10), warnNotFailover: false)
        )
    }

    @Test func aSlotMissingAfterChangesWereStoredIsRefusedOrResnapshotted() {
        let created = Self.configuration { $0.createSlot = true }
        #expect(Self.decide(nil, created, stored: LSN(0x50)) == .refuse(.missing(lsn: LSN(0x50))))
        var resnapshot = created
        resnapshot.onGap = .resnapshot
        resnapshot.snapshot = .never
        #expect(
            Self.decide(nil, resnapshot, stored: LSN(0x50))
                == .create(
                    SlotCreation(
                        snapshot: true, endAfterSnapshot: false, temporary: false, failover: false,
                        replacing: .missing(lsn: LSN(0x50)))))
        // A temporary slot never held anything across runs.
        #expect(
            Self.decide(nil, Self.configuration { $0.temporarySlot = true }, stored: LSN(0x50))
                == .create(SlotCreation(snapshot: true, endAfterSnapshot: false, temporary: true, failover: false, replacing: nil)))
    }

    @Test func anInvalidatedSlotIsAGap() {
        let lost = ExistingSlot(confirmedFlush: LSN(0x10), invalidation: .walRemoved)
        let reason = "it was invalidated (wal_removed: the WAL it needed was removed because it retained more than max_slot_wal_keep_size)"
        #expect(
            Self.decide(lost, Self.configuration(), stored: LSN(0x20))
                == .refuse(.gap(reason: reason, lsn: LSN(0x20))))
        #expect(Self.decide(lost, Self.configuration()) == .refuse(.gap(reason: reason, lsn: LSN(0x10))))
        #expect(
            Self.decide(lost, Self.configuration { $0.onGap = .resnapshot })
                == .create(
                    SlotCreation(
                        snapshot: true, endAfterSnapshot: false, temporary: false, failover: false,
                        replacing: .gap(reason: reason, lsn: LSN(0x10)))))
    }

    @Test func everyInvalidationCauseIsNamedAsTheServerNamesIt() {
        let causes = ["wal_removed", "rows_removed", "wal_level_insufficient", "idle_timeout", "something_new"]
        let named = causes.map { SlotInvalidation(reason: $0, conflicting: nil, walStatus: nil) }
        #expect(named == [.walRemoved, .rowsRemoved, .walLevelInsufficient, .idleTimeout, .other("something_new")])
        #expect(named.map { $0?.name } == causes)
        #expect(SlotInvalidation(reason: nil, conflicting: "t", walStatus: "reserved") == .conflictWithRecovery)
        #expect(SlotInvalidation(reason: nil, conflicting: nil, walStatus: "lost") == .walRemoved)
        #expect(SlotInvalidation(reason: nil, conflicting: "f", walStatus: "unreserved") == nil)
        #expect("\(SlotInvalidation.idleTimeout)".contains("idle_replication_slot_timeout"))
    }

    @Test func aSlotConfirmedPastACheckpointThatCoversEveryConfirmationIsAGap() {
        let ahead = ExistingSlot(confirmedFlush: LSN(0x90))
        // Only pgcdc's own recorder promises that the server never heard more than the checkpoint.
        #expect(
            Self.decide(ahead, Self.configuration(), stored: LSN(0x50), covers: false)
                == .reuse(confirmedFlush: LSN(0x90), warnNotFailover: false))
        guard case let .refuse(.gap(reason, lsn)) = Self.decide(ahead, Self.configuration(), stored: LSN(0x50), covers: true) else {
            Issue.record("expected a gap")
            return
        }
        #expect(lsn == LSN(0x50))
        #expect(reason.contains("its confirmed position 0/90 is past the checkpoint's 0/50"))
        #expect(
            Self.decide(ExistingSlot(confirmedFlush: LSN(0x50)), Self.configuration(), stored: LSN(0x50), covers: true)
                == .reuse(confirmedFlush: LSN(0x50), warnNotFailover: false))
    }
}
