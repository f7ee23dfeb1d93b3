import Foundation
import Logging
import PGOutput
import TestSupport
import Testing
@testable import PostgresCDC
@testable import PostgresCDCConnection

/// The timeline gate: continue on the same timeline or a later one whose switch point is at or
/// after the checkpoint; refuse an old primary and a new one that never had what was delivered.
@Suite struct TimelineGateTests {
    static let history = "1\t0/5000000\tno recovery target specified\n2\t0/7000000\tno recovery target specified\n"

    @Test func decisions() {
        #expect(TimelineGate.decide(storedTimeline: 1, storedLSN: LSN(0x4000000), serverTimeline: 1, history: nil) == .proceed)
        #expect(TimelineGate.decide(storedTimeline: 1, storedLSN: LSN(0x4FFFFFF), serverTimeline: 3, history: Self.history) == .proceed)
        #expect(TimelineGate.decide(storedTimeline: 1, storedLSN: LSN(0x5000000), serverTimeline: 3, history: Self.history) == .proceed)
        #expect(
            TimelineGate.decide(storedTimeline: 1, storedLSN: LSN(0x5000001), serverTimeline: 3, history: Self.history)
                == .aheadOfNewPrimary(timeline: 1, switchPoint: LSN(0x5000000), checkpoint: LSN(0x5000001)))
        #expect(TimelineGate.decide(storedTimeline: 2, storedLSN: LSN(0x6000000), serverTimeline: 3, history: Self.history) == .proceed)
        #expect(
            TimelineGate.decide(storedTimeline: 3, storedLSN: LSN(0x6000000), serverTimeline: 2, history: nil)
                == .olderTimeline(server: 2, checkpoint: 3))
        #expect(
            TimelineGate.decide(storedTimeline: 4, storedLSN: LSN(1), serverTimeline: 5, history: Self.history)
                == .unknownHistory(timeline: 4))
        #expect(TimelineGate.switchPoint(of: 2, in: Self.history) == LSN(0x7000000))
        #expect(TimelineGate.switchPoint(of: 1, in: "garbage\n\n") == nil)
    }

    /// A reconnect within one run is gated by the previous session even without a checkpoint
    /// (stdout, NATS): same cluster, its timeline and what was handed out.
    @Test func aReconnectIsGatedByThePreviousSessionOfTheRun() {
        let base = ResumePoint(StreamConfiguration(dsn: "", slot: "s", publication: "p"))
        let system = SystemIdentification(systemID: "7441234567890123456", timeline: 2, walPosition: LSN(0x9000000), database: "app")
        let carried = base.continuing(after: system, through: LSN(0x6000000))
        #expect(carried.expectedSystemIdentifier == "7441234567890123456")
        #expect(carried.checkpointTimeline == 2)
        #expect(carried.checkpointLSN == LSN(0x6000000))
        // A checkpoint on the same timeline: the later of the two positions.
        var checkpointed = base
        checkpointed.checkpointTimeline = 2
        checkpointed.checkpointLSN = LSN(0x5000000)
        #expect(checkpointed.continuing(after: system, through: LSN(0x6000000)).checkpointLSN == LSN(0x6000000))
        // The session moved to a later timeline than the checkpoint's: that timeline gates now.
        checkpointed.checkpointTimeline = 1
        #expect(checkpointed.continuing(after: system, through: LSN(0x6000000)).checkpointTimeline == 2)
        // A checkpoint of another cluster stays what is expected.
        checkpointed.expectedSystemIdentifier = "1"
        #expect(checkpointed.continuing(after: system, through: LSN(0x6000000)).expectedSystemIdentifier == "1")
    }

    @Test func aServerOnAnOlderTimelineThanTheCheckpointIsRefused() throws {
        let fixture = try StreamFixture.make(setup: "CREATE TABLE t (id int PRIMARY KEY); CREATE PUBLICATION pub FOR TABLE t;")
        let probe = try ReplicationSession(configuration: fixture.configuration(), logger: Logger(label: "test"))
        let system = probe.system
        probe.close()
        let configuration = fixture.configuration()
        let resume = try ResumePoint(configuration).resuming(
            from: Checkpoint(lsn: LSN(1), slot: configuration.slot, systemIdentifier: system.systemID, timeline: system.timeline + 1),
            hasStore: true, slot: configuration.slot, checkpointName: "test"
        )
        #expect {
            _ = try ReplicationSession(configuration: configuration, resume: resume, logger: Logger(label: "test"))
        } throws: { error in
            "\(error)".contains("it is on timeline \(system.timeline), the checkpoint on \(system.timeline + 1): an old primary")
        }
    }
}
