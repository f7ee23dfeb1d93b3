import CLibPQ
#if canImport(Glibc)
import Glibc
#endif
import PGOutput
import PostgresCDCBase

/// A libpq connection, in normal or in logical replication mode.
///
/// Exactly one owner uses it at a time (it is deliberately not `Sendable`): the session that
/// streams from it, or a short-lived command such as `slot list`.
package final class PostgresConnection {
    /// Whether the connection speaks the replication protocol (`replication=database`).
    package let isReplication: Bool
    private var conn: OpaquePointer?

    /// Opens a connection. `dsn` is a libpq conninfo string or URI; libpq's environment
    /// variables and `.pgpass` apply as usual. pgcdc's own parameters go first so that the
    /// DSN can override them, except `replication`, which is decided by the caller, and
    /// `overrides` (for example one host of the DSN's list), which win over the DSN.
    package init(dsn: String, replication: Bool, applicationName: String = "pgcdc", overrides: [(String, String)] = [])
        throws(ReplicationError)
    {
        self.isReplication = replication
        var keywords = ["application_name", "client_encoding"]
        var values = [applicationName, "UTF8"]
        let fromEnvironment = PostgresConnection.keywordsSetInEnvironment()
        for (keyword, value) in PostgresConnection.connectionDefaults where !fromEnvironment.contains(keyword) {
            keywords.append(keyword)
            values.append(value)
        }
        keywords.append("dbname")
        values.append(dsn)
        for (keyword, value) in overrides {
            keywords.append(keyword)
            values.append(value)
        }
        if replication {
            keywords.append("replication")
            values.append("database")
        }
        let connection = PostgresConnection.connect(keywords: keywords, values: values)
        let hosts =
            overrides.contains(where: { $0.0 == "host" })
            ? PostgresConnection.describeHosts(overrides: overrides) : PostgresConnection.describeHosts(dsn: dsn)
        guard let connection else {
            throw .connectionFailed(hosts: hosts, message: "out of memory")
        }
        guard PQstatus(connection) == CONNECTION_OK else {
            // libpq quotes pieces of a string it cannot parse, which may be the password.
            var message = DSNSecrets.redact(PostgresConnection.trimmed(PQerrorMessage(connection)), dsn: dsn)
            if let hint = TLSFailureHint.hint(for: message, rootCertificate: PostgresConnection.option("sslrootcert", of: connection)) {
                message += " (\(hint))"
            }
            PQfinish(connection)
            throw .connectionFailed(hosts: hosts, message: message)
        }
        self.conn = connection
    }

    deinit {
        if let conn { PQfinish(conn) }
    }

    /// What pgcdc asks of every connection unless the DSN (or libpq's environment variables) say
    /// otherwise: with several hosts, only the primary is used (a standby that still answers after
    /// a failover must not be streamed from); a host that does not answer is given up on after
    /// 10 s; a connection whose peer vanished is noticed within about 30 s (TCP keepalives and
    /// `tcp_user_timeout`), instead of after the kernel's two hours.
    static let connectionDefaults: [(String, String)] = [
        ("target_session_attrs", "primary"),
        ("connect_timeout", "10"),
        ("keepalives", "1"),
        ("keepalives_idle", "10"),
        ("keepalives_interval", "5"),
        ("keepalives_count", "3"),
        ("tcp_user_timeout", "30000"),
    ]

    /// The connection options libpq takes from a set environment variable (PGCONNECT_TIMEOUT,
    /// PGTARGETSESSIONATTRS, …): the user's settings, which pgcdc's defaults must not override.
    private static func keywordsSetInEnvironment() -> Set<String> {
        guard let defaults = PQconndefaults() else { return [] }
        defer { PQconninfoFree(defaults) }
        var found: Set<String> = []
        var option = defaults
        while let name = option.pointee.keyword {
            if let variable = option.pointee.envvar, getenv(variable) != nil { found.insert(String(cString: name)) }
            option += 1
        }
        return found
    }

    /// The value of connection option `keyword` in use (after the DSN, the environment and pgcdc's defaults).
    package func option(_ keyword: String) -> String? {
        guard let conn else { return nil }
        return PostgresConnection.option(keyword, of: conn)
    }

    /// The value of connection option `keyword` of `conn`, a connection that may have failed.
    private static func option(_ keyword: String, of conn: OpaquePointer) -> String? {
        guard let options = PQconninfo(conn) else { return nil }
        defer { PQconninfoFree(options) }
        var option = options
        while let name = option.pointee.keyword {
            if String(cString: name) == keyword { return option.pointee.val.map { String(cString: $0) } }
            option += 1
        }
        return nil
    }

    /// Closes the connection; later calls fail with a connection error.
    package func close() {
        if let conn { PQfinish(conn) }
        conn = nil
    }

    /// `host:port` of the server this connection reached.
    package var serverAddress: String {
        guard let conn else { return "(closed)" }
        let host = PQhost(conn).map { String(cString: $0) } ?? "?"
        let port = PQport(conn).map { String(cString: $0) } ?? "?"
        return host.hasPrefix("/") ? "\(host) (socket, port \(port))" : "\(host):\(port)"
    }

    /// Whether the server is on this machine: reached through a Unix-domain socket or a loopback address.
    package var isOnThisMachine: Bool {
        guard let conn, let host = PQhost(conn).map({ String(cString: $0) }) else { return false }
        return host.hasPrefix("/") || host == "localhost" || host.hasPrefix("127.") || host == "::1"
    }

    /// The database this connection is attached to.
    package var databaseName: String {
        guard let conn, let name = PQdb(conn) else { return "?" }
        return String(cString: name)
    }

    /// The server version as an integer, e.g. 150018 for 15.18.
    package var serverVersion: Int {
        guard let conn else { return 0 }
        return Int(PQserverVersion(conn))
    }

    /// Runs one simple-protocol command and returns its rows. Works in replication mode too,
    /// where the extended protocol is not available: quote values with ``quoteLiteral(_:)``.
    @discardableResult
    package func query(_ sql: String, describedAs command: String? = nil) throws(ReplicationError) -> QueryResult {
        let conn = try connection()
        guard let result = PQexec(conn, sql) else {
            throw .serverError(
                command: command ?? sql, sqlState: nil, message: PostgresConnection.trimmed(PQerrorMessage(conn)), host: serverAddress)
        }
        defer { PQclear(result) }
        switch PQresultStatus(result) {
        case PGRES_TUPLES_OK, PGRES_COMMAND_OK, PGRES_EMPTY_QUERY:
            return PostgresConnection.rows(of: result)
        default:
            throw serverError(result, command: command ?? sql)
        }
    }

    /// Runs one statement with `$1, $2, …` parameters in text form (`nil` for NULL) over the
    /// extended protocol (not available in replication mode) and returns its rows.
    @discardableResult
    package func execute(_ sql: String, parameters: [String?]) throws(ReplicationError) -> QueryResult {
        let conn = try connection()
        let copies = parameters.map { $0.map { strdup($0) } ?? nil }
        defer { copies.forEach { free($0) } }
        let values: [UnsafePointer<CChar>?] = copies.map { $0.map { UnsafePointer($0) } }
        guard let result = PQexecParams(conn, sql, Int32(values.count), nil, values, nil, nil, 0) else {
            throw .serverError(command: sql, sqlState: nil, message: PostgresConnection.trimmed(PQerrorMessage(conn)), host: serverAddress)
        }
        defer { PQclear(result) }
        switch PQresultStatus(result) {
        case PGRES_TUPLES_OK, PGRES_COMMAND_OK, PGRES_EMPTY_QUERY:
            return PostgresConnection.rows(of: result)
        default:
            throw serverError(result, command: sql)
        }
    }

    /// Starts `COPY ... TO STDOUT`; read the rows with ``CopyRowReader``.
    package func startCopyOut(_ sql: String, describedAs command: String) throws(ReplicationError) {
        let conn = try connection()
        guard let result = PQexec(conn, sql) else {
            throw .serverError(
                command: command, sqlState: nil, message: PostgresConnection.trimmed(PQerrorMessage(conn)), host: serverAddress)
        }
        defer { PQclear(result) }
        guard PQresultStatus(result) == PGRES_COPY_OUT else {
            throw serverError(result, command: command)
        }
    }

    /// The next row of a `COPY ... TO STDOUT` (blocking), or `nil` at its end; a failure of the
    /// COPY (permission, a dropped table, a lost connection) throws, named `command`.
    package func readCopyRow(describedAs command: String) throws(ReplicationError) -> [UInt8]? {
        var row: [UInt8] = []
        return try readCopyData(appendingTo: &row, describedAs: command) ? row : nil
    }

    /// Appends the next message of a `COPY ... TO STDOUT` to `storage` (blocking; one copy, from
    /// libpq's buffer); `false` at the copy's end. A failure of the COPY throws, named `command`.
    package func readCopyData(appendingTo storage: inout [UInt8], describedAs command: String) throws(ReplicationError) -> Bool {
        let conn = try connection()
        var buffer: UnsafeMutablePointer<CChar>?
        let length = PQgetCopyData(conn, &buffer, 0)
        if length > 0, let buffer {
            defer { PQfreemem(buffer) }
            storage.append(contentsOf: UnsafeRawBufferPointer(start: buffer, count: Int(length)))
            return true
        }
        if length == -1 {
            var failure: ReplicationError?
            while let result = PQgetResult(conn) {
                if PQresultStatus(result) != PGRES_COMMAND_OK && failure == nil {
                    failure = serverError(result, command: command)
                }
                PQclear(result)
            }
            if let failure { throw failure }
            return false
        }
        throw .connectionLost(host: serverAddress, message: lastErrorMessage, lastLSN: .zero)
    }

    /// `'text'` quoted as an SQL literal for this connection.
    package func quoteLiteral(_ text: String) throws(ReplicationError) -> String {
        let conn = try connection()
        let utf8 = Array(text.utf8)
        guard let quoted = PQescapeLiteral(conn, utf8.isEmpty ? "" : text, utf8.count) else {
            throw .invalidOption("cannot quote \(text): \(PostgresConnection.trimmed(PQerrorMessage(conn)))")
        }
        defer { PQfreemem(quoted) }
        return String(cString: quoted)
    }

    /// `"name"` quoted as an SQL identifier for this connection.
    package func quoteIdentifier(_ name: String) throws(ReplicationError) -> String {
        let conn = try connection()
        guard let quoted = PQescapeIdentifier(conn, name, name.utf8.count) else {
            throw .invalidOption("cannot quote \(name): \(PostgresConnection.trimmed(PQerrorMessage(conn)))")
        }
        defer { PQfreemem(quoted) }
        return String(cString: quoted)
    }

    // MARK: - Internals shared with the replication extension

    /// The live `PGconn*`, or an error when the connection was closed.
    func connection() throws(ReplicationError) -> OpaquePointer {
        guard let conn else {
            throw .connectionLost(host: "(closed)", message: "the connection is closed", lastLSN: .zero)
        }
        return conn
    }

    /// A ``ReplicationError/serverError(command:sqlState:message:host:)`` from a failed result.
    func serverError(_ result: OpaquePointer, command: String) -> ReplicationError {
        let sqlState = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
        var message =
            PQresultErrorField(result, Int32(UInt8(ascii: "M"))).map { String(cString: $0) }
            ?? PostgresConnection.trimmed(PQresultErrorMessage(result))
        if message.isEmpty, let conn { message = PostgresConnection.trimmed(PQerrorMessage(conn)) }
        if let detail = PQresultErrorField(result, Int32(UInt8(ascii: "D"))) {
            message += " (\(String(cString: detail)))"
        }
        return .serverError(command: command, sqlState: sqlState, message: message, host: serverAddress)
    }

    /// The last libpq error message of this connection, trimmed.
    var lastErrorMessage: String {
        guard let conn else { return "the connection is closed" }
        return PostgresConnection.trimmed(PQerrorMessage(conn))
    }

    static func trimmed(_ message: UnsafePointer<CChar>?) -> String {
        guard let message else { return "" }
        var text = String(cString: message)
        while let last = text.last, last.isWhitespace { text.removeLast() }
        return text
    }

    private static func rows(of result: OpaquePointer) -> QueryResult {
        let columnCount = Int(PQnfields(result))
        let rowCount = Int(PQntuples(result))
        var columns: [String] = []
        columns.reserveCapacity(columnCount)
        for column in 0..<columnCount {
            columns.append(PQfname(result, Int32(column)).map { String(cString: $0) } ?? "")
        }
        var rows: [[String?]] = []
        rows.reserveCapacity(rowCount)
        for row in 0..<rowCount {
            var values: [String?] = []
            values.reserveCapacity(columnCount)
            for column in 0..<columnCount {
                if PQgetisnull(result, Int32(row), Int32(column)) != 0 {
                    values.append(nil)
                } else {
                    values.append(PQgetvalue(result, Int32(row), Int32(column)).map { String(cString: $0) })
                }
            }
            rows.append(values)
        }
        return QueryResult(columns: columns, rows: rows)
    }

    private static func connect(keywords: [String], values: [String]) -> OpaquePointer? {
        let keywordPointers = keywords.map { strdup($0) }
        let valuePointers = values.map { strdup($0) }
        defer {
            keywordPointers.forEach { free($0) }
            valuePointers.forEach { free($0) }
        }
        var keywordArray: [UnsafePointer<CChar>?] = keywordPointers.map { UnsafePointer($0) }
        var valueArray: [UnsafePointer<CChar>?] = valuePointers.map { UnsafePointer($0) }
        keywordArray.append(nil)
        valueArray.append(nil)
        return PQconnectdbParams(keywordArray, valueArray, 1)
    }

    /// The host an override list names (see ``HostList/Host/overrides``), for error messages.
    package static func describeHosts(overrides: [(String, String)]) -> String {
        var host = HostList.Host(host: "", hostaddr: "", port: "")
        for (keyword, value) in overrides {
            switch keyword {
            case "host": host.host = value
            case "hostaddr": host.hostaddr = value
            case "port": host.port = value
            default: break
            }
        }
        return host.description
    }

    /// The hosts a DSN names, for error messages ("127.0.0.1:5432" or "the libpq defaults").
    package static func describeHosts(dsn: String) -> String {
        guard let options = ConninfoOptions.parse(dsn) else { return "a connection string libpq cannot parse" }
        let target = options["host"] ?? options["hostaddr"] ?? "the default socket"
        return options["port"].map { "\(target) port \($0)" } ?? target
    }
}
