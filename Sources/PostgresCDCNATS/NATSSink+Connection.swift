import CNATS
import Foundation
import Logging
import PostgresCDC

/// Connecting: the options, the connection with its acknowledgement handler, and the stream.
extension NATSSink {
    func connect() throws(SinkError) {
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
            guard let closure, let message else { return }
            let tracker = Unmanaged<PublishTracker>.fromOpaque(closure).takeUnretainedValue()
            guard let failure else {
                let acknowledgement = acknowledged.map {
                    PublishTracker.Acknowledgement(sequence: $0.pointee.Sequence, duplicate: $0.pointee.Duplicate)
                }
                tracker.settle(message, failure: nil, acknowledgement: acknowledgement)
                return
            }
            let subject = natsMsg_GetSubject(message).map { String(cString: $0) } ?? "?"
            let text = failure.pointee.ErrText.map { String(cString: $0) } ?? NATSSink.text(failure.pointee.Err)
            // A JetStream error code means the server refused the message; anything else is worth
            // publishing again: a timeout, a lost connection, and "no responders", which is what a
            // restarted server answers until JetStream has loaded the stream (checked at open()).
            // So is a broken chain (10070, wrong last message id): published again, acknowledged one by one.
            let code = Int(failure.pointee.ErrCode.rawValue)
            let retryable = code == 0 || code == NATSSink.wrongLastMessageID || code == NATSSink.wrongLastSequence
            tracker.settle(message, failure: PublishTracker.Failure(text: "publish to \(subject) rejected: \(text)", retryable: retryable))
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
    func prepareStream() throws(SinkError) {
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
                let reason = "the stream's subjects \(subjects) do not capture \(wanted); add it to the stream or change subjects"
                throw SinkError(destination: destination, operation: "use", reason: reason)
            }
            return
        }
        guard status == NATS_NOT_FOUND || code.rawValue == 10059 else {
            throw SinkError(destination: destination, operation: "look up", reason: Self.lastError(status))
        }
        guard configuration.createStream else {
            let reason = "the stream does not exist (create it, or set createStream = true)"
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
}
