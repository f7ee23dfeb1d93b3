import CLibPQ
#if canImport(Glibc)
import Glibc
#endif
import PGOutput
import PostgresCDCBase

/// One read from a COPY BOTH stream.
package enum CopyDataRead {
    /// A whole CopyData message.
    case data([UInt8])
    /// Nothing to read without blocking.
    case wouldBlock
    /// The server ended the COPY (for example at the end of a timeline); the connection stays usable.
    case copyDone
}

/// Why a wait for input ended.
package enum WaitResult {
    /// The server sent something.
    case socketReadable
    /// The extra descriptor (a shutdown request) became readable.
    case woken
    /// The time ran out, or a signal interrupted the wait.
    case timedOut
}

extension PostgresConnection {
    /// `IDENTIFY_SYSTEM`.
    /// `TIMELINE_HISTORY tli`: the server's history file for timeline `tli` (lines of parent
    /// timeline, switch point and reason).
    package func timelineHistory(_ timeline: UInt32) throws(ReplicationError) -> String {
        let result = try query("TIMELINE_HISTORY \(timeline)", describedAs: "TIMELINE_HISTORY \(timeline)")
        guard let content = result.value(0, "content") else {
            throw .unexpectedResponse(command: "TIMELINE_HISTORY \(timeline)", detail: "no content")
        }
        return content
    }

    package func identifySystem() throws(ReplicationError) -> SystemIdentification {
        let result = try query("IDENTIFY_SYSTEM", describedAs: "IDENTIFY_SYSTEM")
        guard result.rows.count == 1,
            let systemID = result.value(0, "systemid"),
            let timelineText = result.value(0, "timeline"), let timeline = UInt32(timelineText),
            let positionText = result.value(0, "xlogpos"), let position = LSN(positionText)
        else {
            throw .unexpectedResponse(command: "IDENTIFY_SYSTEM", detail: "\(result.rows)")
        }
        return SystemIdentification(systemID: systemID, timeline: timeline, walPosition: position, database: result.value(0, "dbname"))
    }

    /// `CREATE_REPLICATION_SLOT name [TEMPORARY] LOGICAL pgoutput` without a snapshot, with
    /// `FAILOVER` when asked (PostgreSQL 17 and later); returns the consistent point.
    package func createLogicalSlot(_ name: String, temporary: Bool, failover: Bool = false) throws(ReplicationError) -> LSN {
        try createLogicalSlot(name, temporary: temporary, exportSnapshot: false, failover: failover).consistentPoint
    }

    /// `CREATE_REPLICATION_SLOT name [TEMPORARY] LOGICAL pgoutput EXPORT_SNAPSHOT|NOEXPORT_SNAPSHOT`.
    /// With `exportSnapshot`, also returns the name of a snapshot that other sessions can import
    /// (`SET TRANSACTION SNAPSHOT`) until the next command on this connection: the database exactly
    /// as of the consistent point. With `failover` (PostgreSQL 17 and later) standbys with
    /// `sync_replication_slots` keep a copy of the slot.
    package func createLogicalSlot(_ name: String, temporary: Bool, exportSnapshot: Bool, failover: Bool = false) throws(ReplicationError)
        -> (consistentPoint: LSN, snapshotName: String?)
    {
        var sql = "CREATE_REPLICATION_SLOT \(try quoteIdentifier(name))\(temporary ? " TEMPORARY" : "") LOGICAL pgoutput "
        if failover {
            sql += "(SNAPSHOT '\(exportSnapshot ? "export" : "nothing")', FAILOVER true)"
        } else {
            sql += exportSnapshot ? "EXPORT_SNAPSHOT" : "NOEXPORT_SNAPSHOT"
        }
        let result = try query(sql, describedAs: "CREATE_REPLICATION_SLOT \(name)")
        guard let text = result.value(0, "consistent_point"), let lsn = LSN(text) else {
            throw .unexpectedResponse(command: "CREATE_REPLICATION_SLOT", detail: "no consistent_point in \(result.rows)")
        }
        return (lsn, result.value(0, "snapshot_name"))
    }

    /// `ALTER_REPLICATION_SLOT name (FAILOVER true)` (PostgreSQL 17 and later).
    package func enableFailover(slot name: String) throws(ReplicationError) {
        try query("ALTER_REPLICATION_SLOT \(try quoteIdentifier(name)) (FAILOVER true)", describedAs: "ALTER_REPLICATION_SLOT \(name)")
    }

    /// `DROP_REPLICATION_SLOT name`.
    package func dropReplicationSlot(_ name: String) throws(ReplicationError) {
        try query("DROP_REPLICATION_SLOT \(try quoteIdentifier(name))", describedAs: "DROP_REPLICATION_SLOT \(name)")
    }

    /// `START_REPLICATION SLOT name LOGICAL start (options)`; afterwards the connection is in COPY BOTH mode.
    package func startLogicalReplication(slot: String, start: LSN, options: [(String, String)]) throws(ReplicationError) {
        var sql = "START_REPLICATION SLOT \(try quoteIdentifier(slot)) LOGICAL \(start)"
        if !options.isEmpty {
            var parts: [String] = []
            for (name, value) in options {
                parts.append("\(try quoteIdentifier(name)) \(try quoteLiteral(value))")
            }
            sql += " (" + parts.joined(separator: ", ") + ")"
        }
        let conn = try connection()
        guard let result = PQexec(conn, sql) else {
            throw .serverError(command: "START_REPLICATION", sqlState: nil, message: lastErrorMessage, host: serverAddress)
        }
        defer { PQclear(result) }
        guard PQresultStatus(result) == PGRES_COPY_BOTH else {
            throw serverError(result, command: "START_REPLICATION SLOT \(slot)")
        }
    }

    /// Reads one CopyData message without blocking.
    package func readCopyData() throws(ReplicationError) -> CopyDataRead {
        let conn = try connection()
        var buffer: UnsafeMutablePointer<CChar>?
        var length = PQgetCopyData(conn, &buffer, 1)
        if length == 0 {
            // Nothing buffered: pull what the socket has, then try once more.
            guard PQconsumeInput(conn) == 1 else {
                throw .connectionLost(host: serverAddress, message: lastErrorMessage, lastLSN: .zero)
            }
            length = PQgetCopyData(conn, &buffer, 1)
        }
        if length > 0, let buffer {
            defer { PQfreemem(buffer) }
            return .data(Array(UnsafeRawBufferPointer(start: buffer, count: Int(length))))
        }
        if length == 0 { return .wouldBlock }
        if length == -1 {
            // COPY finished: collect its result, which carries the error if there was one.
            var failure: ReplicationError?
            while let result = PQgetResult(conn) {
                let status = PQresultStatus(result)
                if status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK && failure == nil {
                    failure = serverError(result, command: "START_REPLICATION")
                }
                PQclear(result)
            }
            if let failure { throw failure }
            return .copyDone
        }
        throw .connectionLost(host: serverAddress, message: lastErrorMessage, lastLSN: .zero)
    }

    /// Waits until the socket is readable or `timeoutMilliseconds` passed; returns whether it is readable.
    /// Sets how many bytes must be queued on the socket before a wait reports it readable
    /// (`SO_RCVLOWAT`); best effort: a system that refuses it keeps waking on every byte.
    package func setReceiveLowWatermark(_ bytes: Int32) {
        guard let conn = try? connection() else { return }
        var value = bytes
        _ = setsockopt(PQsocket(conn), SOL_SOCKET, SO_RCVLOWAT, &value, socklen_t(MemoryLayout<Int32>.size))
    }

    package func waitForInput(timeoutMilliseconds: Int32) throws(ReplicationError) -> Bool {
        try waitForInput(timeoutMilliseconds: timeoutMilliseconds, alsoWatching: nil) == .socketReadable
    }

    /// Waits until the socket is readable, `wakeDescriptor` is readable, or `timeoutMilliseconds`
    /// passed. A signal interrupting the wait counts as a timeout.
    package func waitForInput(timeoutMilliseconds: Int32, alsoWatching wakeDescriptor: Int32?) throws(ReplicationError) -> WaitResult {
        let conn = try connection()
        let socket = PQsocket(conn)
        guard socket >= 0 else {
            throw .connectionLost(host: serverAddress, message: "no socket", lastLSN: .zero)
        }
        var descriptors = [pollfd(fd: socket, events: Int16(POLLIN), revents: 0)]
        if let wakeDescriptor { descriptors.append(pollfd(fd: wakeDescriptor, events: Int16(POLLIN), revents: 0)) }
        let ready = poll(&descriptors, nfds_t(descriptors.count), timeoutMilliseconds)
        if ready < 0 {
            if errno == EINTR { return .timedOut }
            throw .connectionLost(host: serverAddress, message: "poll failed: \(String(cString: strerror(errno)))", lastLSN: .zero)
        }
        if descriptors.count > 1 && descriptors[1].revents != 0 { return .woken }
        return ready > 0 ? .socketReadable : .timedOut
    }

    /// Sends one CopyData message (a standby status update) and flushes it.
    package func sendCopyData(_ bytes: [UInt8]) throws(ReplicationError) {
        let conn = try connection()
        let sent = bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { PQputCopyData(conn, $0.baseAddress, Int32($0.count)) }
        }
        guard sent == 1, PQflush(conn) == 0 else {
            throw .connectionLost(host: serverAddress, message: lastErrorMessage, lastLSN: .zero)
        }
    }

    /// Ends our side of the COPY BOTH stream (`CopyDone`) and drains, for at most about two seconds,
    /// what the server still sends before its own `CopyDone`, so that it ends the session cleanly.
    package func endCopy() {
        guard let conn = try? connection(), PQputCopyEnd(conn, nil) == 1 else { return }
        _ = PQflush(conn)
        var buffer: UnsafeMutablePointer<CChar>?
        for _ in 0..<40 {
            let length = PQgetCopyData(conn, &buffer, 1)
            if length > 0 {
                if let buffer { PQfreemem(buffer) }
                continue
            }
            if length < 0 { break }
            guard (try? waitForInput(timeoutMilliseconds: 50)) != nil, PQconsumeInput(conn) == 1 else { return }
        }
        // While still in COPY state PQgetResult keeps answering PGRES_COPY_BOTH: stop there.
        for _ in 0..<8 {
            guard let result = PQgetResult(conn) else { return }
            let status = PQresultStatus(result)
            PQclear(result)
            if status == PGRES_COPY_BOTH || status == PGRES_COPY_OUT { return }
        }
    }
}
