import CNATS
import Foundation
import Logging
import PGOutput
import PostgresCDC

/// A sink that publishes every event to NATS JetStream, effectively once.
///
/// Each line, in either format, becomes one message on its subject (``SubjectTemplate``), with
/// the `Nats-Msg-Id` header set to `{commit_lsn}:{seq}`; both come from the line's
/// ``LineDescriptor``, never from its JSON. Publishing is asynchronous, up to
/// ``Configuration/batchesInFlight`` batches unacknowledged; ``flush(force:)`` reports a batch's
/// position as durable only once JetStream acknowledged it and every batch before it — so the
/// checkpoint and the slot move only past what the stream stored.
///
/// A batch goes out as a chain: every message but the last is published without asking for an
/// acknowledgement, each naming the message before it as the stream's last (its id,
/// `Nats-Expected-Last-Msg-Id`), and only the last one is acknowledged, which names the one before
/// it by its stream sequence as well (`Nats-Expected-Last-Sequence`). JetStream stores a message
/// only when its stream's last stored message is the one named, drops one it already holds before
/// any check, and forgets the last id when it stores a message without one. The chain starts after
/// a message this session saw stored (its base), so the stream's last id can be a chain message's
/// only if that message was stored after the base, by this chain — a copy stored before is
/// dropped as a duplicate, not stored again. By induction from the last message, an acknowledged
/// chain was stored whole, in order; the sequence on the last message adds that nothing else was
/// stored in between: one acknowledgement per batch instead of one per message. A chain that
/// breaks — a message lost, another publisher's message between two of ours, a replayed message
/// JetStream held already — fails the last message, and the batch is published again with an
/// acknowledgement per message, as is the first batch of a session (which finds the base). A batch
/// that was not acknowledged (the server went away, a timeout) is published again, with backoff,
/// until it is; the copies JetStream already stored are dropped by its duplicate window. After a
/// crash, the replayed transaction is dropped the same way.
public final class NATSSink: ChangeSink {
    /// Where and how to publish.
    public struct Configuration: Sendable {
        /// Server URLs (`nats://host:4222`, several for a cluster; `nats://user:password@host` works).
        public var servers: [String]
        /// The JetStream stream that must capture the subjects.
        public var stream: String
        /// Subjects for row and truncate events; messages go to `ROOT._messages.PREFIX`, begin and
        /// commit lines to `ROOT._transactions`.
        public var subjects: SubjectTemplate
        /// Create the stream when it does not exist, with the subjects and ``duplicateWindow``.
        public var createStream = false
        /// The de-duplication window of a stream pgcdc creates, in seconds.
        public var duplicateWindow: Double = 120
        /// The replicas of a stream pgcdc creates (more than 1 needs a JetStream cluster).
        public var replicas = 1
        /// A `.creds` file (JWT and NKey seed).
        public var credentialsFile: String?
        /// A token.
        public var token: String?
        /// A CA certificate file (PEM) that the server's certificate must chain to; setting it requires TLS.
        public var trustedCertificates: String?
        /// A client certificate (PEM, ``clientKey`` with it) for servers that verify clients
        /// (`tls { verify: true }`); setting it requires TLS.
        public var clientCertificate: String?
        /// The private key (PEM) of ``clientCertificate``.
        public var clientKey: String?
        /// Messages in flight before publishing waits.
        public var maxPending = 8192
        /// Seconds to wait for acknowledgements before publishing the batch again.
        public var acknowledgementTimeout: Double = 5
        /// Batches (of up to 256 KiB) that may be unacknowledged at once: a flush waits for the
        /// oldest only when this many are; they are kept in memory until acknowledged.
        public var batchesInFlight = 4

        /// A configuration with the default subjects `pgcdc.{schema}.{table}`.
        public init(servers: [String], stream: String) {
            self.servers = servers
            self.stream = stream
            self.subjects = SubjectTemplate("pgcdc.{schema}.{table}")!  // trap-ok: a constant valid template
        }
    }

    /// The configuration.
    public let configuration: Configuration
    let logger: Logger
    let tracker = PublishTracker()
    private let subjects: SubjectCache
    var options: OpaquePointer?
    var connection: OpaquePointer?
    var jetStream: OpaquePointer?
    /// Batches published but not yet acknowledged (copies), oldest first, kept to publish again.
    private var inFlight: [InFlightBatch] = []
    /// The buffers of acknowledged batches, for the copies of the next ones (no allocation per batch).
    private var spareLines: [[UInt8]] = []
    private var spareDescriptors: [[LineDescriptor]] = []
    /// The number of the last batch written (1 for the first).
    private var batchNumber: UInt64 = 0
    private var ids = MessageID()
    /// Links published and not yet destroyed (``destroySpentLinks()``).
    private var spentLinks: [OpaquePointer] = []
    private static let spentLinksLimit = 512
    /// The message the next chain starts after: its id (NUL-terminated) and stream sequence;
    /// `nil` until an acknowledgement says where this session's last message was stored.
    private var chainBase: (id: [CChar], sequence: UInt64)?
    /// The id of the last message published (NUL-terminated).
    private var lastID: [CChar] = []
    /// Batches published again in a row (broken chains, timeouts); from ``maximumBrokenChains``
    /// on, every message is acknowledged for the rest of the run (another publisher keeps
    /// writing to the stream, say).
    private var brokenChains = 0
    /// Whether the batches in flight went out as chains.
    private var chainsInFlight = false
    private static let maximumBrokenChains = 3
    /// JetStream's error codes for a message whose expected last message id or sequence is not the stream's.
    static let wrongLastMessageID = 10070
    static let wrongLastSequence = 10071
    private var durable: LSN = .zero
    /// Messages published as links of a chain, and with an acknowledgement each (logged at close, debug level).
    private var linkCount = 0
    private var acknowledgedCount = 0

    /// A sink; nothing connects until ``open()``.
    public init(configuration: Configuration, logger: Logger = Logger(label: "pgcdc.nats")) {
        self.configuration = configuration
        self.logger = logger
        self.subjects = SubjectCache(template: configuration.subjects)
    }

    deinit {
        release()
    }

    /// `false`: JetStream's de-duplication, not commit lines, keeps repeats out.
    public var needsCommitLines: Bool { false }

    /// Connects, and checks (or creates) the stream; returns `nil` (the checkpoint or the slot says where to resume).
    public func open() throws(SinkError) -> LSN? {
        try connect()
        try prepareStream()
        return nil
    }

    /// Publishes every line of the batch asynchronously. A batch without line descriptors
    /// (``SinkBatch/isDescribed``) is refused: the sink does not read the JSON to route it.
    public func write(_ batch: SinkBatch) throws(SinkError) {
        guard batch.isDescribed else {
            throw SinkError(
                destination: destination, operation: "route",
                reason: "the batch's lines have no line descriptors (SinkBatch.descriptors); the NATS sink routes by them")
        }
        if chainBase == nil, brokenChains < Self.maximumBrokenChains, let last = inFlight.last {
            // A chain starts after a message this session saw stored: the last one published, so
            // wait for its acknowledgement (at a session's second batch, and after a broken chain).
            // Whatever fails here fails the flush too; this batch then goes out unchained.
            _ = tracker.wait(through: last.number, timeout: configuration.acknowledgementTimeout + 1)
        }
        learnChainBase()
        batchNumber += 1
        let copy = InFlightBatch(number: batchNumber, copying: batch, lines: spareLines.popLast(), descriptors: spareDescriptors.popLast())
        inFlight.append(copy)
        try publish(copy, chained: brokenChains < Self.maximumBrokenChains)
        // `chainBase` is set after a batch only when it went out as a chain.
        if chainBase != nil { chainsInFlight = true }
    }

    /// Returns the position of the last batch JetStream holds. Forced, it first waits for the
    /// acknowledgements of everything published, publishing again what JetStream did not take;
    /// else it waits only while ``Configuration/batchesInFlight`` batches are unacknowledged, for
    /// the oldest of them (the newer ones stay in flight, keeping the pipeline full).
    public func flush(force: Bool) throws(SinkError) -> LSN {
        removeAcknowledged()
        guard let newest = inFlight.last else { return durable }
        let window = max(1, configuration.batchesInFlight)
        if !force && inFlight.count < window { return durable }
        let target = force ? newest.number : inFlight[inFlight.count - window].number
        var attempt = 0
        while true {
            let failure = waitForAcknowledgements(through: target)
            removeAcknowledged()
            guard let failure else {
                // Only a chain that held ends a run of broken ones: batches acknowledged message by
                // message between two broken chains do not, or a steady other publisher would have
                // every batch published twice.
                if attempt == 0 && chainsInFlight { brokenChains = 0 }
                if inFlight.isEmpty { chainsInFlight = false }
                learnChainBase()
                return durable
            }
            guard failure.retryable else {
                throw SinkError(destination: destination, operation: "publish to", reason: failure.text)
            }
            attempt += 1
            let delay = Backoff(base: 0.4, cap: 10).delay(afterFailures: attempt)
            logger.warning(
                "JetStream did not acknowledge; publishing the batch again",
                metadata: [
                    "attempt": "\(attempt)", "reason": "\(failure.text)", "delay_s": "\(delay)",
                ])
            usleep(useconds_t(delay * 1e6))
            discardPending()
            // Every message acknowledged this time; the next chain starts after the last of them.
            brokenChains += 1
            chainBase = nil
            chainsInFlight = false
            if brokenChains == Self.maximumBrokenChains {
                logger.info("batches keep failing as chains; acknowledging every message for the rest of the run")
            }
            for batch in inFlight {
                try publish(batch, chained: false)
            }
        }
    }

    /// Drops the oldest batches that JetStream acknowledged; their position is durable.
    private func removeAcknowledged() {
        var count = 0
        while count < inFlight.count, tracker.isComplete(inFlight[count].number) { count += 1 }
        guard count > 0 else { return }
        durable = inFlight[count - 1].position
        for index in 0..<count {
            spareLines.append(inFlight[index].lines)
            spareDescriptors.append(inFlight[index].descriptors)
        }
        inFlight.removeFirst(count)
        if spareLines.count > configuration.batchesInFlight + 1 {
            spareLines.removeFirst(spareLines.count - configuration.batchesInFlight - 1)
            spareDescriptors.removeFirst(spareDescriptors.count - configuration.batchesInFlight - 1)
        }
    }

    /// Once the last message published was stored by this session (not dropped as a duplicate),
    /// the next chain can start after it.
    private func learnChainBase() {
        guard chainBase == nil, !lastID.isEmpty, let last = tracker.lastAcknowledgement, !last.duplicate else { return }
        chainBase = (lastID, last.sequence)
    }

    /// Waits for the last acknowledgements and disconnects.
    public func close() throws(SinkError) {
        defer { release() }
        if jetStream != nil { _ = try flush(force: true) }
        logger.debug("published to JetStream", metadata: ["chain_links": "\(linkCount)", "acknowledged": "\(acknowledgedCount)"])
    }

    // MARK: - Publishing

    /// For errors: the servers without the credentials a URL may carry.
    var destination: String {
        "NATS stream \(configuration.stream) at \(configuration.servers.map(ServerURL.redacted).joined(separator: ","))"
    }

    /// Publishes each line to its subject(s), asynchronously; stops at the first message that
    /// could not be sent (the flush publishes the batch again). `chained` and a known base: as a
    /// chain whose last message alone is acknowledged; else each message is.
    private func publish(_ batch: InFlightBatch, chained: Bool) throws(SinkError) {
        guard let jetStream, let connection else {
            throw SinkError(destination: destination, operation: "publish to", reason: "the sink is not open")
        }
        var options = jsPubOptions()
        jsPubOptions_Init(&options)
        options.MaxWait = Int64(configuration.acknowledgementTimeout * 1000)
        let messages = batch.messageCount
        let base = chained ? chainBase : nil
        var previous = base?.id ?? lastID
        var index = 0
        var sent = true
        let tracker = self.tracker
        let number = batch.number
        batch.batch.forEachLine { line, descriptor in
            guard sent else { return }
            subjects.forEachMessage(of: descriptor, ids: &ids) { subject, id in
                guard sent else { return }
                index += 1
                // The sequence the stream's last message must have: the previous message's.
                let expected = base.map { $0.sequence + UInt64(index - 1) }
                let status: natsStatus
                if expected != nil, index < messages {
                    status = publishLink(line, to: subject, id: id, after: previous, on: connection)
                    linkCount += 1
                    if status != NATS_OK {
                        let failure = PublishTracker.Failure(text: "publish to \(subject): \(Self.text(status))", retryable: true)
                        tracker.fail(batch: number, failure)
                    }
                } else {
                    options.MsgId = id
                    options.ExpectLastSeq = expected ?? 0
                    status = previous.withUnsafeBufferPointer { previous in
                        options.ExpectLastMsgId = expected == nil ? nil : previous.baseAddress
                        return publishAcknowledged(
                            line, to: subject, batch: number, isTail: index == messages, endsChain: expected != nil, options: &options,
                            on: jetStream)
                    }
                    options.MsgId = nil
                    options.ExpectLastMsgId = nil
                    acknowledgedCount += 1
                }
                guard status == NATS_OK else {
                    sent = false
                    return
                }
                Self.copy(id, into: &previous)
            }
        }
        destroySpentLinks()
        // The last message sent, which the tracker's tail acknowledgement is about (``learnChainBase()``).
        if sent { lastID = previous }
        // The next chain starts where this one ends; after a batch acknowledged message by message,
        // where its last acknowledgement says (``learnChainBase()``).
        chainBase = sent && base != nil ? (previous, (base?.sequence ?? 0) + UInt64(messages)) : nil
    }

    /// Publishes a message asking for JetStream's acknowledgement, which the tracker waits for.
    private func publishAcknowledged(
        _ line: ArraySlice<UInt8>, to subject: String, batch: UInt64, isTail: Bool, endsChain: Bool, options: inout jsPubOptions,
        on jetStream: OpaquePointer
    ) -> natsStatus {
        var message: OpaquePointer?
        var status = line.withUnsafeBytes { raw in
            natsMsg_Create(&message, subject, nil, raw.baseAddress?.assumingMemoryBound(to: CChar.self), Int32(raw.count))
        }
        guard status == NATS_OK, let created = message else { return status }
        // Pending before it is sent: its acknowledgement may arrive before js_PublishMsgAsync returns.
        tracker.published(created, batch: batch, isTail: isTail, endsChain: endsChain)
        status = js_PublishMsgAsync(jetStream, &message, &options)
        if status != NATS_OK, let message {
            // Not sent (disconnected, the reconnect buffer is full), and still ours: the flush publishes the batch again.
            let text = "publish to \(subject): \(Self.text(status))"
            tracker.settle(message, failure: PublishTracker.Failure(text: text, retryable: true))
            natsMsg_Destroy(message)
        }
        return status
    }

    /// Publishes a message of a chain without asking for an acknowledgement, naming the message
    /// `previous` as the one JetStream must have stored last. (Not also by its sequence: the
    /// chain's last message checks that, and a third header cost pgcdc a tenth of its CPU.)
    private func publishLink(
        _ line: ArraySlice<UInt8>, to subject: String, id: UnsafePointer<CChar>, after previous: [CChar], on connection: OpaquePointer
    ) -> natsStatus {
        var message: OpaquePointer?
        var status = line.withUnsafeBytes { raw in
            natsMsg_Create(&message, subject, nil, raw.baseAddress?.assumingMemoryBound(to: CChar.self), Int32(raw.count))
        }
        guard status == NATS_OK, let message else { return status }
        defer { spentLinks.append(message) }
        status = natsMsgHeader_Set(message, "Nats-Msg-Id", id)
        if status == NATS_OK {
            status = previous.withUnsafeBufferPointer { natsMsgHeader_Set(message, "Nats-Expected-Last-Msg-Id", $0.baseAddress) }
        }
        if status == NATS_OK { status = natsConnection_PublishMsg(connection, message) }
        if spentLinks.count >= Self.spentLinksLimit { destroySpentLinks() }
        return status
    }

    /// Destroys the links published since the last call. libnats hands every destroyed message to
    /// its garbage-collector thread, waking it when it sleeps: destroyed one by one as published,
    /// that thread woke for nearly every message (a futex wake and a context switch each, a fifth
    /// of pgcdc's CPU in a profile); destroyed in a row, it wakes once and finds them all.
    private func destroySpentLinks() {
        for message in spentLinks { natsMsg_Destroy(message) }
        spentLinks.removeAll(keepingCapacity: true)
    }

    /// Copies the NUL-terminated `id` into `buffer`.
    private static func copy(_ id: UnsafePointer<CChar>, into buffer: inout [CChar]) {
        buffer.removeAll(keepingCapacity: true)
        var pointer = id
        while pointer.pointee != 0 {
            buffer.append(pointer.pointee)
            pointer += 1
        }
        buffer.append(0)
    }

    /// `nil` once batch `batch` and those before it are acknowledged, else why not.
    private func waitForAcknowledgements(through batch: UInt64) -> PublishTracker.Failure? {
        guard jetStream != nil else { return PublishTracker.Failure(text: "the sink is not open", retryable: false) }
        return tracker.wait(through: batch, timeout: configuration.acknowledgementTimeout + 1)
    }

    /// Drops what is still in flight before publishing the batches again.
    private func discardPending() {
        guard let jetStream else { return }
        var list = natsMsgList()
        if js_PublishAsyncGetPendingList(&list, jetStream) == NATS_OK {
            natsMsgList_Destroy(&list)
        }
        tracker.reset()
    }

    private func release() {
        destroySpentLinks()
        if let jetStream { jsCtx_Destroy(jetStream) }
        if let connection {
            natsConnection_Close(connection)
            natsConnection_Destroy(connection)
        }
        if let options { natsOptions_Destroy(options) }
        jetStream = nil
        connection = nil
        options = nil
    }

    static func text(_ status: natsStatus) -> String {
        natsStatus_GetText(status).map { String(cString: $0) } ?? "status \(status.rawValue)"
    }

    static func lastError(_ status: natsStatus? = nil) -> String {
        var last = NATS_OK
        if let text = nats_GetLastError(&last), text.pointee != 0 { return String(cString: text) }
        return text(status ?? last)
    }
}
