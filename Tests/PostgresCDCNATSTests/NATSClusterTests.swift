import Foundation
import PostgresCDCTesting
import TestSupport
import Testing
@testable import PostgresCDC

/// `--sink nats://a,b,c` into a JetStream cluster of three nats-servers, a stream with 3 replicas.
@Suite struct NATSClusterTests {
    /// The node that leads the stream is killed (SIGKILL) while pgcdc streams a writer's changes,
    /// and started again: the others elect a new leader, pgcdc reconnects and publishes again what
    /// was not acknowledged, and the stream holds every change exactly once.
    @Test func killingTheStreamLeaderMidStreamLosesAndDuplicatesNothing() throws {
        let cluster = try NATSTestCluster()
        let setup = try NATSSinkTests.setUp(TableWriter.schema + "CREATE PUBLICATION pub FOR TABLE crash;")
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("pgcdc-natscluster-\(setup.database)").path
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        // The cluster elects its meta leader first; until then a stream cannot be created.
        let created = eventually(timeout: 30) {
            (try? JetStreamReader.createStream(url: cluster.nodes[0].url, name: "CDC", subjects: ["pgcdc.>"], replicas: 3)) != nil
        }
        #expect(created, "the cluster did not take the stream")
        let arguments =
            ["stream", "--dsn", setup.dsn, "--slot", setup.slot, "--publication", "pub", "--sink", cluster.urls, "--nats-stream", "CDC"]
            + ["--checkpoint", "\(scratch)/cp.json", "--nats-ack-timeout", "1", "--on-empty-store", "continue"]
        let writer = TableWriter(dsn: setup.dsn)
        writer.start()
        let run = try BackgroundProcess(arguments, stdoutPath: "\(scratch)/out", stderrPath: "\(scratch)/err")
        // Some changes stored before the fault.
        let started = eventually(timeout: 30) {
            ((try? JetStreamReader.messages(url: cluster.nodes[0].url, stream: "CDC")) ?? []).count > 50
        }
        #expect(started, "nothing reached the stream: \(run.stderr)")
        let leaderName = try #require(try JetStreamReader.leader(url: cluster.nodes[0].url, stream: "CDC"))
        let leader = try #require(cluster.node(named: leaderName))
        leader.kill()
        let survivor = try #require(cluster.nodes.first { $0 !== leader })
        // A new leader among the two left, and changes stored under it.
        let elected = eventually(timeout: 30) {
            (try? JetStreamReader.leader(url: survivor.url, stream: "CDC")).flatMap { $0 }.map { $0 != leaderName } ?? false
        }
        #expect(elected, "no new leader")
        let storedUnderNewLeader = JetStreamReader.messageCount(url: survivor.url, stream: "CDC") ?? 0
        let resumed = eventually(timeout: 30) {
            (JetStreamReader.messageCount(url: survivor.url, stream: "CDC") ?? 0) > storedUnderNewLeader + 50
        }
        #expect(resumed, "nothing stored under the new leader: \(run.stderr)")
        // The killed node comes back, catches up as a replica, and more changes are stored with it.
        try leader.start()
        let caughtUpReplica = eventually(timeout: 30) {
            let state = try? JetStreamReader.clusterState(url: survivor.url, stream: "CDC")
            return state?.replicas.contains { $0.name == leaderName && $0.current && !$0.offline } ?? false
        }
        #expect(caughtUpReplica, "the restarted node did not catch up")
        let storedBeforeRejoin = JetStreamReader.messageCount(url: survivor.url, stream: "CDC") ?? 0
        let continued = eventually(timeout: 30) {
            (JetStreamReader.messageCount(url: survivor.url, stream: "CDC") ?? 0) > storedBeforeRejoin + 50
        }
        #expect(continued, "nothing stored after the node rejoined: \(run.stderr)")
        #expect(run.wait(timeout: 0) == nil, "pgcdc stopped: \(run.stderr)")
        _ = try writer.stop()
        let end = try setup.sql("SELECT pg_current_wal_insert_lsn()")
        // The running pgcdc catches up to the end; then a final run confirms it is all there.
        let caughtUp = eventually(timeout: 60) {
            (try? setup.sql("SELECT confirmed_flush_lsn >= '\(end)' FROM pg_replication_slots WHERE slot_name = '\(setup.slot)'")) == "t"
        }
        #expect(caughtUp, "pgcdc did not catch up: \(run.stderr)")
        run.signal(SIGTERM)
        #expect(run.wait(timeout: 30) == 0, "stderr: \(run.stderr)")
        // The fault was felt: what the old leader had not acknowledged was published again.
        #expect(run.stderr.contains("JetStream did not acknowledge; publishing the batch again"), "stderr: \(run.stderr)")
        let drained = try CLIProcess.run(arguments + ["--end-lsn", end])
        #expect(drained.status == 0, "final run: \(drained.stderr)")
        let expected = try setup.sql("SELECT id FROM crash ORDER BY id").split(separator: "\n").compactMap { Int($0) }
        #expect(expected.count > 100)
        let messages = try JetStreamReader.messages(url: survivor.url, stream: "CDC")
        NATSSinkTests.verifyExactlyOnce(messages, expected: expected)
        // Every message carries the id of its change: `{commit_lsn}:{seq}` of the line it holds.
        let misnamed = messages.filter { message in
            let object = NATSSinkTests.object(message)
            guard let lsn = object["commit_lsn"] as? String, let seq = object["seq"] as? Int else { return false }
            return message.messageID != "\(lsn):\(seq)"
        }
        #expect(misnamed.isEmpty, "\(misnamed.count) messages whose id is not their change's, e.g. \(misnamed.first?.messageID ?? "")")
    }
}
