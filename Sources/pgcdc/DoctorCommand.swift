import ArgumentParser
import PostgresCDC

/// `pgcdc doctor`: whether every host of the DSN is set up so that pgcdc continues after a failover.
struct DoctorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check every host of the DSN for safe failover (failover slots, PostgreSQL 17+) and print what is missing.",
        discussion: """
            Each host is checked alone, standbys too: wal_level; on the primary, that synchronized_standby_slots \
            names every connected standby's physical slot and (with --slot) that the slot is a valid pgoutput \
            failover slot; on a standby, sync_replication_slots, hot_standby_feedback, primary_slot_name, a dbname \
            in primary_conninfo and (with --slot) a synced, persistent copy of the slot. \
            Exit codes: 0 nothing failed (warnings allowed), 1 error, 2 a check failed (an unreachable host included).
            """
    )

    @OptionGroup var connection: ConnectionOptions

    @Option(
        help: ArgumentHelp("The logical slot pgcdc streams from, checked on the primary and its copies on the standbys.", valueName: "name")
    )
    var slot: String?

    @Flag(help: "Print one JSON object per finding and line instead of the table.")
    var json = false

    func validate() throws {
        if connection.dsn.isEmpty { throw ValidationError("--dsn is required, or --dsn-file FILE") }
    }

    func run() throws {
        let findings: [Finding]
        do {
            // The library names settings by their properties; the user reads the options.
            findings = try FailoverReadiness.check(dsn: connection.dsn, slot: slot).map { finding in
                var finding = finding
                finding.detail = CLIErrorMessage.options(in: finding.detail)
                return finding
            }
        } catch {
            throw CLIFailure.report(error)
        }
        let text = json ? findings.map(Self.jsonLine).joined() : Self.table(findings)
        do {
            try FileHandleOutput.standardOutput(text)
        } catch {
            throw CLIFailure.report(error)
        }
        if findings.contains(where: { $0.level == .fail }) { throw ExitCode(2) }
    }

    /// One aligned line per finding (`ok  127.0.0.1:5432  primary  wal_level  logical`), then a summary.
    static func table(_ findings: [Finding]) -> String {
        let rows = findings.map { [$0.level.rawValue, $0.host, $0.role?.rawValue ?? "-", $0.check, $0.detail] }
        let widths = (0..<4).map { column in rows.map { $0[column].count }.max() ?? 0 }
        var text = ""
        for row in rows {
            for column in 0..<4 {
                text += row[column] + String(repeating: " ", count: widths[column] - row[column].count + 2)
            }
            text += row[4] + "\n"
        }
        let hosts = Set(findings.map(\.host)).count
        func count(_ level: Finding.Level) -> Int { findings.filter { $0.level == level }.count }
        text += "\(hosts) host\(hosts == 1 ? "" : "s"): \(count(.ok)) ok, \(count(.warn)) warn, \(count(.fail)) fail\n"
        return text
    }

    /// `{"level":"ok","host":"…","role":"primary","check":"wal_level","detail":"logical"}` and a newline.
    static func jsonLine(_ finding: Finding) -> String {
        var buffer = JSONBuffer(capacity: 256)
        buffer.appendRaw("{\"level\":")
        buffer.appendString(finding.level.rawValue)
        buffer.appendRaw(",\"host\":")
        buffer.appendString(finding.host)
        buffer.appendRaw(",\"role\":")
        if let role = finding.role { buffer.appendString(role.rawValue) } else { buffer.appendRaw("null") }
        buffer.appendRaw(",\"check\":")
        buffer.appendString(finding.check)
        buffer.appendRaw(",\"detail\":")
        buffer.appendString(finding.detail)
        buffer.appendRaw("}\n")
        return String(decoding: buffer.bytes, as: UTF8.self)
    }
}
