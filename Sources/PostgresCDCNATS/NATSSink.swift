import CNATS
import Foundation
import Logging
import PGOutput
import PostgresCDC

/// A sink that publishes every event to NATS JetStream, effectively once.
///
/// Each line, in either format, becomes one message on its subject (``SubjectTemplate``), with
/// the `Nats-Msg-Id` header set to `{commit_lsn}:{seq}`; both come from the line's
/// ``LineDescriptor``, never from its JSON. Publishing is asynchronous, at most
/// `maxPending` messages in flight; ``flush(force:)`` waits for JetStream's acknowledgements, and
/// only then reports the batch's position as durable — so the checkpoint and the slot move only
/// past what the stream stored.
///
/// A batch goes out as a chain: every message but the last is published without asking for an
/// acknowledgement, each naming the message before it as the stream's last — its id
/// (`Nats-Expected-Last-Msg-Id`) and its stream sequence (`Nats-Expected-Last-Sequence`) — and only
/// the last one is acknowledged. JetStream stores a message only when its stream's last stored
/// message is the one named, and drops one it already holds before any check; so an acknowledged
/// last message proves that every message of the chain was stored, in order, at consecutive
/// sequences after the chain's base (a message this session saw stored): one acknowledgement per
/// batch instead of one per message. A chain that breaks — a message lost, another publisher's
/// message between two of ours, a replayed message JetStream held already — fails the last
/// message, and the batch is published again with an acknowledgement per message, as is the
/// first batch of a session (which finds the base). A batch that was not acknowledged (the server
/// went away, a timeout) is published again, with backoff, until it is;
/// the copies JetStream already stored are
/// dropped by its duplicate window. After a crash, the replayed transaction is dropped the same way.
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
        /// Batches (of up to 256 KiB) published before waiting for their acknowledgements; they
        /// are kept in memory until acknowledged.
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
    private let logger: Logger
    private let tracker = PublishTracker()
    private let subjects: SubjectCache
    private var options: OpaquePointer?
    private var connection: OpaquePointer?
    private var jetStream: OpaquePointer?
    /// Batches published but not yet acknowledged (copies), kept to publish again.
    private var unacknowledged: [SinkBatch] = []
    private var ids = MessageID()
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
    private var written: LSN = .zero
    private var durable: LSN = .zero

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
        let copy = SinkBatch(
            lines: Array(batch.lines)[...], descriptors: Array(batch.descriptors)[...], position: batch.position,
            endsAtTransactionBoundary: batch.endsAtTransactionBoundary)
        unacknowledged.append(copy)
        let chained = brokenChains < Self.maximumBrokenChains
        try publish(copy, chained: chained)
        if chained && chainBase != nil { chainsInFlight = true }
        written = batch.position
    }

    /// Waits for JetStream to acknowledge everything published, publishing again what it did not
    /// take, and returns the position of the last batch it holds. Unless forced, it lets up to
    /// ``Configuration/batchesInFlight`` batches stay unacknowledged (keeping the pipeline full)
    /// and returns the older position.
    public func flush(force: Bool) throws(SinkError) -> LSN {
        guard !unacknowledged.isEmpty else { return durable }
        if !force && unacknowledged.count < configuration.batchesInFlight { return durable }
        var attempt = 0
        while true {
            let outcome = waitForAcknowledgements()
            switch outcome {
            case .acknowledged:
                unacknowledged.removeAll()
                durable = written
                if attempt == 0 && chainsInFlight { brokenChains = 0 }
                chainsInFlight = false
                if chainBase == nil, let last = tracker.lastAcknowledgement, !last.duplicate {
                    // Stored by this session: the next chain can start after it.
                    chainBase = (lastID, last.sequence)
                }
                return durable
            case let .rejected(reason):
                throw SinkError(destination: destination, operation: "publish to", reason: reason)
            case let .retry(reason):
                attempt += 1
                let delay = min(0.2 * pow(2, Double(min(attempt, 8))), 10)
                logger.warning(
                    "JetStream did not acknowledge; publishing the batch again",
                    metadata: [
                        "attempt": "\(attempt)", "reason": "\(reason)", "delay_s": "\(delay)",
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
                for batch in unacknowledged {
                    try publish(batch, chained: false)
                }
            }
        }
    }

    /// Waits for the last acknowledgements and disconnects.
    public func close() throws(SinkError) {
        defer { release() }
        if jetStream != nil { _ = try flush(force: true) }
    }

    // MARK: - Publishing

    /// For errors: the servers without the credentials a URL may carry.
    private var destination: String {
        "NATS stream \(configuration.stream) at \(configuration.servers.map(ServerURL.redacted).joined(separator: ","))"
    }

    /// Publishes each line to its subject(s), asynchronously; stops at the first message that
    /// could not be sent (the flush publishes the batch again). `chained` and a known base: as a
    /// chain whose last message alone is acknowledged; else each message is.
    private func publish(_ batch: SinkBatch, chained: Bool) throws(SinkError) {
        guard let jetStream, let connection else {
            throw SinkError(destination: destination, operation: "publish to", reason: "the sink is not open")
        }
        var options = jsPubOptions()
        jsPubOptions_Init(&options)
        options.MaxWait = Int64(configuration.acknowledgementTimeout * 1000)
        var messages = 0
        for descriptor in batch.descriptors {
            if case let .tables(relations) = descriptor.target { messages += relations.count } else { messages += 1 }
        }
        let base = chained ? chainBase : nil
        var previous = base?.id ?? []
        var index = 0
        var sent = true
        let tracker = self.tracker
        batch.forEachLine { line, descriptor in
            guard sent else { return }
            subjects.forEachMessage(of: descriptor, ids: &ids) { subject, id in
                guard sent else { return }
                index += 1
                var status = NATS_OK
                // The sequence the stream's last message must have: the previous message's.
                let expected = base.map { $0.sequence + UInt64(index - 1) }
                if let expected, index < messages {
                    status = publishLink(line, to: subject, id: id, after: previous, at: expected, on: connection)
                } else {
                    let key = PublishTracker.key(id)
                    // Pending before it is sent: its acknowledgement may arrive before js_PublishAsync returns.
                    tracker.published(key, isTail: index == messages)
                    options.MsgId = id
                    options.ExpectLastSeq = expected ?? 0
                    status = previous.withUnsafeBufferPointer { previous in
                        options.ExpectLastMsgId = expected == nil ? nil : previous.baseAddress
                        return line.withUnsafeBytes { raw in
                            js_PublishAsync(jetStream, subject, raw.baseAddress, Int32(raw.count), &options)
                        }
                    }
                    options.MsgId = nil
                    options.ExpectLastMsgId = nil
                    if status != NATS_OK {
                        // Not sent (disconnected, or the reconnect buffer is full): the flush retries the batch.
                        let failure = PublishTracker.Failure(text: "publish to \(subject): \(Self.text(status))", retryable: true)
                        tracker.settle(key, failure: failure)
                    }
                }
                guard status == NATS_OK else {
                    sent = false
                    return
                }
                Self.copy(id, into: &previous)
            }
        }
        lastID = previous
        // The next chain starts where this one ends; after a batch acknowledged message by message,
        // where its last acknowledgement says (``flush(force:)``).
        chainBase = sent && base != nil ? (previous, (base?.sequence ?? 0) + UInt64(messages)) : nil
    }

    /// Publishes a message of a chain without asking for an acknowledgement, naming the message
    /// `previous` at stream sequence `sequence` as the one JetStream must have stored last.
    private func publishLink(
        _ line: ArraySlice<UInt8>, to subject: String, id: UnsafePointer<CChar>, after previous: [CChar], at sequence: UInt64,
        on connection: OpaquePointer
    ) -> natsStatus {
        var message: OpaquePointer?
        var status = line.withUnsafeBytes { raw in
            natsMsg_Create(&message, subject, nil, raw.baseAddress?.assumingMemoryBound(to: CChar.self), Int32(raw.count))
        }
        guard status == NATS_OK, let message else { return status }
        defer { natsMsg_Destroy(message) }
        status = natsMsgHeader_Set(message, "Nats-Msg-Id", id)
        if status == NATS_OK {
            status = previous.withUnsafeBufferPointer { natsMsgHeader_Set(message, "Nats-Expected-Last-Msg-Id", $0.baseAddress) }
        }
        if status == NATS_OK { status = natsMsgHeader_Set(message, "Nats-Expected-Last-Sequence", String(sequence)) }
        if status == NATS_OK { status = natsConnection_PublishMsg(connection, message) }
        return status
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

    private enum Outcome {
        case acknowledged
        case rejected(String)
        case retry(String)
    }

    private func waitForAcknowledgements() -> Outcome {
        guard jetStream != nil else { return .rejected("the sink is not open") }
        guard let failure = tracker.wait(timeout: configuration.acknowledgementTimeout + 1) else { return .acknowledged }
        return failure.retryable ? .retry(failure.text) : .rejected(failure.text)
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

    // MARK: - Connecting

    private func connect() throws(SinkError) {
        var options: OpaquePointer?
        guard natsOptions_Create(&options) == NATS_OK, let options else {
            throw SinkError(destination: destination, operation: "configure", reason: Self.lastError())
        }
        self.options = options
        var servers = configuration.servers.map { strdup($0) }
        defer { servers.forEach { free($0) } }
        var status = servers.withUnsafeMutableBufferPointer { buffer in
            buffer.withMemoryRebound(to: UnsafePointer<CChar>?.self) { natsOptions_SetServers(options, $0.baseAddress, Int32($0.count)) }
        }
        if status == NATS_OK { status = natsOptions_SetMaxReconnect(options, -1) }
        if status == NATS_OK { status = natsOptions_SetReconnectWait(options, 250) }
        if status == NATS_OK { status = natsOptions_SetTimeout(options, 5000) }
        if status == NATS_OK { status = natsOptions_SetIOBufSize(options, 1 << 20) }
        if status == NATS_OK, let token = configuration.token { status = natsOptions_SetToken(options, token) }
        if status == NATS_OK, let file = configuration.credentialsFile {
            status = natsOptions_SetUserCredentialsFromFiles(options, file, nil)
        }
        if status == NATS_OK, let file = configuration.trustedCertificates {
            status = natsOptions_SetSecure(options, true)
            if status == NATS_OK { status = natsOptions_LoadCATrustedCertificates(options, file) }
            guard status == NATS_OK else {
                throw SinkError(
                    destination: destination, operation: "configure", reason: "cannot load the CA file \(file): \(Self.lastError())")
            }
        }
        if status == NATS_OK, configuration.clientCertificate != nil || configuration.clientKey != nil {
            guard let certificate = configuration.clientCertificate, let key = configuration.clientKey else {
                throw SinkError(destination: destination, operation: "configure", reason: "clientCertificate and clientKey go together")
            }
            status = natsOptions_SetSecure(options, true)
            if status == NATS_OK { status = natsOptions_LoadCertificatesChain(options, certificate, key) }
            guard status == NATS_OK else {
                let reason = "cannot load the client certificate \(certificate) with key \(key): \(Self.lastError())"
                throw SinkError(destination: destination, operation: "configure", reason: reason)
            }
        }
        guard status == NATS_OK else { throw SinkError(destination: destination, operation: "configure", reason: Self.lastError()) }

        var connection: OpaquePointer?
        status = natsConnection_Connect(&connection, options)
        guard status == NATS_OK, let connection else {
            var reason = Self.lastError(status)
            if reason.contains("hostname mismatch") || reason.contains("IP address mismatch") {
                // libnats checks the certificate against the URL's host by default.
                reason += " (the server's certificate does not name the host of the server URL: use a host name the certificate holds)"
            } else if reason.contains("SSL handshake error"), let file = configuration.trustedCertificates {
                reason += " (the server's certificate does not chain to a CA in \(file), or the server wants a client certificate)"
            }
            throw SinkError(destination: destination, operation: "connect to", reason: reason)
        }
        self.connection = connection

        var jsOptions = jsOptions()
        jsOptions_Init(&jsOptions)
        jsOptions.PublishAsync.MaxPending = Int64(configuration.maxPending)
        // Called once per published message, acknowledged or refused; the message is ours to destroy.
        jsOptions.PublishAsync.AckHandler = { _, message, acknowledged, failure, closure in
            defer { natsMsg_Destroy(message) }
            guard let closure else { return }
            let tracker = Unmanaged<PublishTracker>.fromOpaque(closure).takeUnretainedValue()
            var idPointer: UnsafePointer<CChar>?
            let id = message.flatMap {
                natsMsgHeader_Get($0, "Nats-Msg-Id", &idPointer) == NATS_OK ? idPointer.map(PublishTracker.key) : nil
            }
            guard let failure else {
                let acknowledgement = acknowledged.map {
                    PublishTracker.Acknowledgement(sequence: $0.pointee.Sequence, duplicate: $0.pointee.Duplicate)
                }
                tracker.settle(id, failure: nil, acknowledgement: acknowledgement)
                return
            }
            let subject = message.flatMap { natsMsg_GetSubject($0) }.map { String(cString: $0) } ?? "?"
            let text = failure.pointee.ErrText.map { String(cString: $0) } ?? NATSSink.text(failure.pointee.Err)
            // A JetStream error code means the server refused the message; anything else is worth
            // publishing again: a timeout, a lost connection, and "no responders", which is what a
            // restarted server answers until JetStream has loaded the stream (checked at open()).
            // So is a broken chain (10070, wrong last message id): published again, acknowledged one by one.
            let code = Int(failure.pointee.ErrCode.rawValue)
            let retryable = code == 0 || code == NATSSink.wrongLastMessageID || code == NATSSink.wrongLastSequence
            tracker.settle(id, failure: PublishTracker.Failure(text: "publish to \(subject) rejected: \(text)", retryable: retryable))
        }
        jsOptions.PublishAsync.AckHandlerClosure = Unmanaged.passUnretained(tracker).toOpaque()
        var jetStream: OpaquePointer?
        status = natsConnection_JetStream(&jetStream, connection, &jsOptions)
        guard status == NATS_OK, let jetStream else {
            throw SinkError(destination: destination, operation: "open JetStream at", reason: Self.lastError(status))
        }
        self.jetStream = jetStream
    }

    /// Checks that the stream exists and captures every subject the template can produce, or creates it.
    private func prepareStream() throws(SinkError) {
        guard let jetStream else { return }
        var info: UnsafeMutablePointer<jsStreamInfo>?
        var code = jsErrCode(rawValue: 0)
        let status = js_GetStreamInfo(&info, jetStream, configuration.stream, nil, &code)
        if status == NATS_OK, let info {
            defer { jsStreamInfo_Destroy(info) }
            var subjects: [String] = []
            if let config = info.pointee.Config {
                for index in 0..<Int(config.pointee.SubjectsLen) {
                    if let subject = config.pointee.Subjects?[index] { subjects.append(String(cString: subject)) }
                }
            }
            for wanted in configuration.subjects.wildcards where !subjects.contains(where: { SubjectTemplate.covers($0, wanted) }) {
                let reason = "the stream's subjects \(subjects) do not capture \(wanted); add it to the stream or change --nats-subject"
                throw SinkError(destination: destination, operation: "use", reason: reason)
            }
            return
        }
        guard status == NATS_NOT_FOUND || code.rawValue == 10059 else {
            throw SinkError(destination: destination, operation: "look up", reason: Self.lastError(status))
        }
        guard configuration.createStream else {
            let reason = "the stream does not exist (create it, or pass --nats-create-stream)"
            throw SinkError(destination: destination, operation: "use", reason: reason)
        }
        var config = jsStreamConfig()
        jsStreamConfig_Init(&config)
        let name = strdup(configuration.stream)
        var subjects: [UnsafePointer<CChar>?] = [UnsafePointer(strdup(configuration.subjects.streamSubject))]
        defer {
            free(name)
            subjects.forEach { free(UnsafeMutablePointer(mutating: $0)) }
        }
        config.Name = UnsafePointer(name)
        config.Storage = js_FileStorage
        config.Duplicates = Int64(configuration.duplicateWindow * 1e9)
        config.Replicas = Int64(configuration.replicas)
        var created: UnsafeMutablePointer<jsStreamInfo>?
        let addStatus = subjects.withUnsafeMutableBufferPointer { mutable -> natsStatus in
            config.Subjects = mutable.baseAddress
            config.SubjectsLen = Int32(mutable.count)
            return js_AddStream(&created, jetStream, &config, nil, &code)
        }
        if let created { jsStreamInfo_Destroy(created) }
        guard addStatus == NATS_OK else {
            throw SinkError(destination: destination, operation: "create", reason: Self.lastError(addStatus))
        }
        logger.info(
            "created the JetStream stream",
            metadata: [
                "stream": "\(configuration.stream)", "subjects": "\(configuration.subjects.streamSubject)",
            ])
    }

    private func release() {
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
