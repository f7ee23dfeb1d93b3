import CNATS
import Foundation
@testable import PostgresCDCNATS

/// Reads a JetStream stream back message by message, and creates streams, for the tests.
struct JetStreamReader {
    /// One stored message.
    struct Message: Sendable {
        var sequence: UInt64
        var subject: String
        var messageID: String?
        var data: [UInt8]
    }

    enum Failure: Error, CustomStringConvertible {
        case nats(String)
        var description: String {
            switch self {
            case let .nats(text): return "NATS: \(text)"
            }
        }
    }

    /// Every message of `stream` on the server at `url`, in stream order.
    static func messages(url: String, stream: String) throws -> [Message] {
        try withJetStream(url: url) { jetStream in
            var info: UnsafeMutablePointer<jsStreamInfo>?
            var code = jsErrCode(rawValue: 0)
            guard js_GetStreamInfo(&info, jetStream, stream, nil, &code) == NATS_OK, let info else {
                throw Failure.nats("no stream \(stream): \(NATSSink.lastError())")
            }
            let first = info.pointee.State.FirstSeq
            let last = info.pointee.State.LastSeq
            let count = info.pointee.State.Msgs
            jsStreamInfo_Destroy(info)
            var messages: [Message] = []
            guard count > 0 else { return messages }
            for sequence in first...last {
                var message: OpaquePointer?
                guard js_GetMsg(&message, jetStream, stream, sequence, nil, &code) == NATS_OK, let message else { continue }
                defer { natsMsg_Destroy(message) }
                let subject = natsMsg_GetSubject(message).map { String(cString: $0) } ?? ""
                var id: UnsafePointer<CChar>?
                let messageID = natsMsgHeader_Get(message, "Nats-Msg-Id", &id) == NATS_OK ? id.map { String(cString: $0) } : nil
                let length = Int(natsMsg_GetDataLength(message))
                let data = natsMsg_GetData(message).map { Array(UnsafeRawBufferPointer(start: $0, count: length)) } ?? []
                messages.append(Message(sequence: sequence, subject: subject, messageID: messageID, data: data))
            }
            return messages
        }
    }
}

extension JetStreamReader {
    /// Creates a stream capturing `subjects` (for tests of a stream pgcdc did not create).
    static func createStream(url: String, name: String, subjects: [String], maxMessageSize: Int32 = -1, replicas: Int64 = 1) throws {
        try withJetStream(url: url) { jetStream in
            var config = jsStreamConfig()
            jsStreamConfig_Init(&config)
            let streamName = strdup(name)
            var pointers: [UnsafePointer<CChar>?] = subjects.map { UnsafePointer(strdup($0)) }
            defer {
                free(streamName)
                pointers.forEach { free(UnsafeMutablePointer(mutating: $0)) }
            }
            config.Name = UnsafePointer(streamName)
            config.MaxMsgSize = maxMessageSize
            config.Replicas = replicas
            var code = jsErrCode(rawValue: 0)
            let status = pointers.withUnsafeMutableBufferPointer { buffer -> natsStatus in
                config.Subjects = buffer.baseAddress
                config.SubjectsLen = Int32(buffer.count)
                var info: UnsafeMutablePointer<jsStreamInfo>?
                defer { if let info { jsStreamInfo_Destroy(info) } }
                return js_AddStream(&info, jetStream, &config, nil, &code)
            }
            guard status == NATS_OK else { throw Failure.nats(NATSSink.lastError()) }
        }
    }

    /// Who serves `stream` in a cluster: the leader's name (`nil` while it has none) and the other
    /// replicas, each with whether it is current (caught up) and online.
    struct ClusterState {
        var leader: String?
        var replicas: [(name: String, current: Bool, offline: Bool)]
    }

    /// The name of the server that leads `stream` in a cluster; `nil` when it has none (yet).
    static func leader(url: String, stream: String) throws -> String? {
        try clusterState(url: url, stream: stream)?.leader
    }

    /// `stream`'s cluster state as the server at `url` reports it; `nil` when it cannot say (no leader yet).
    static func clusterState(url: String, stream: String) throws -> ClusterState? {
        try withJetStream(url: url) { jetStream in
            var info: UnsafeMutablePointer<jsStreamInfo>?
            var code = jsErrCode(rawValue: 0)
            guard js_GetStreamInfo(&info, jetStream, stream, nil, &code) == NATS_OK, let info else { return nil }
            defer { jsStreamInfo_Destroy(info) }
            guard let cluster = info.pointee.Cluster else { return nil }
            var state = ClusterState(leader: cluster.pointee.Leader.map { String(cString: $0) }, replicas: [])
            for index in 0..<Int(cluster.pointee.ReplicasLen) {
                guard let peer = cluster.pointee.Replicas?[index] else { continue }
                state.replicas.append((peer.pointee.Name.map { String(cString: $0) } ?? "", peer.pointee.Current, peer.pointee.Offline))
            }
            return state
        }
    }

    /// How many messages `stream` holds, as the server at `url` reports it; `nil` when it cannot say.
    static func messageCount(url: String, stream: String) -> UInt64? {
        let count = try? withJetStream(url: url) { jetStream -> UInt64? in
            var info: UnsafeMutablePointer<jsStreamInfo>?
            var code = jsErrCode(rawValue: 0)
            guard js_GetStreamInfo(&info, jetStream, stream, nil, &code) == NATS_OK, let info else { return nil }
            defer { jsStreamInfo_Destroy(info) }
            return info.pointee.State.Msgs
        }
        return count ?? nil
    }
}

extension JetStreamReader {
    /// Runs `body` with a JetStream context on a connection of its own to `url`.
    static func withJetStream<T>(url: String, _ body: (OpaquePointer) throws -> T) throws -> T {
        var connection: OpaquePointer?
        guard natsConnection_ConnectTo(&connection, url) == NATS_OK, let connection else {
            throw Failure.nats("cannot connect to \(url): \(NATSSink.lastError())")
        }
        defer { natsConnection_Destroy(connection) }
        var jetStream: OpaquePointer?
        guard natsConnection_JetStream(&jetStream, connection, nil) == NATS_OK, let jetStream else {
            throw Failure.nats(NATSSink.lastError())
        }
        defer { jsCtx_Destroy(jetStream) }
        return try body(jetStream)
    }
}
