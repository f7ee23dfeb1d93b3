import Foundation
import Metrics
import PGOutput

/// The stream's metrics, through swift-metrics (a no-op until a program bootstraps a backend,
/// such as the CLI's Prometheus endpoint):
///
/// - `pgcdc_events_total{op,table}`, `pgcdc_bytes_total{op,table}`: events written and their JSON bytes
/// - `pgcdc_transactions_total`
/// - `pgcdc_replication_lag_bytes`: the server's WAL position minus what the sink made durable
/// - `pgcdc_replication_lag_seconds`: now minus the commit time of the last transaction written
///   (0 while nothing is waiting)
/// - `pgcdc_sink_flush_seconds`: how long handing a batch to the sink and making it durable took
/// - `pgcdc_checkpoint_lsn`: the durable position, as a number
/// - `pgcdc_reconnects_total`
/// - `pgcdc_backfill_rows_total{table}`: rows backfills handed out
/// - `pgcdc_backfill_rows_remaining{backfill,table}`: the planner's estimate of the table's rows
///   minus the rows the backfill handed out (0 once it ended)
/// - `pgcdc_slot_wal_retained_bytes`: the WAL the slot holds back on the server (checked every
///   ``StreamConfiguration/slotCheckInterval``)
/// - `pgcdc_slot_wal_retained_ratio`: that as a share of `max_slot_wal_keep_size`, or of the WAL
///   disk where it is unlimited (see ``SlotRetention/share``); not recorded when unknown
///
/// Counts are gathered per batch and added to the counters when the batch is handed over, so
/// the per-event cost is a dictionary update.
final class StreamMetrics {
    private struct Key: Hashable {
        var op: String
        var table: String
    }

    private var pending: [Key: (events: Int, bytes: Int)] = [:]
    private var counters: [Key: (events: Counter, bytes: Counter)] = [:]
    private var pendingTransactions = 0
    private let transactions = Counter(label: "pgcdc_transactions_total")
    private let lagBytes = Gauge(label: "pgcdc_replication_lag_bytes")
    private let lagSeconds = Gauge(label: "pgcdc_replication_lag_seconds")
    private let flushTimer = Timer(label: "pgcdc_sink_flush_seconds")
    private let checkpointLSN = Gauge(label: "pgcdc_checkpoint_lsn")
    private let reconnects = Counter(label: "pgcdc_reconnects_total")
    private var lastCommitTime: PostgresTimestamp?
    /// Backfills in progress: their table, estimate, and rows so far.
    private var backfills: [String: (table: String, estimate: Int, rows: Int, gauge: Gauge)] = [:]
    private var backfillRows: [String: Int] = [:]
    private var backfillCounters: [String: Counter] = [:]

    /// Where the lag's wall clock is read.
    private let timeSource: any TimeSource

    init(timeSource: any TimeSource = .system) {
        self.timeSource = timeSource
        reconnects.increment(by: 0)
    }

    /// Notes one event that took `bytes` of output.
    func record(_ event: ChangeEvent, bytes: Int) {
        let key: Key
        switch event {
        case let .insert(change): key = Key(op: "insert", table: change.relation.description)
        case let .update(change): key = Key(op: "update", table: change.relation.description)
        case let .delete(change): key = Key(op: "delete", table: change.relation.description)
        case let .read(change):
            key = Key(op: "read", table: change.relation.description)
            if let tag = change.backfillTag {
                backfillRows[key.table, default: 0] += 1
                backfills[tag.id]?.rows += 1
            }
        case .truncate: key = Key(op: "truncate", table: "")
        case .message: key = Key(op: "message", table: "")
        case .ddl: key = Key(op: "ddl", table: "")
        case .gap: key = Key(op: "gap", table: "")
        case let .backfill(event):
            key = Key(op: "backfill_\(event.kind == .started ? "started" : "completed")", table: event.table)
            if event.kind == .started {
                let gauge = Gauge(label: "pgcdc_backfill_rows_remaining", dimensions: [("backfill", event.id), ("table", event.table)])
                backfills[event.id] = (event.table, event.estimatedRows, 0, gauge)
            } else {
                backfills.removeValue(forKey: event.id)?.gauge.record(0)
            }
        case .begin: return
        case let .commit(commit):
            pendingTransactions += 1
            lastCommitTime = commit.transaction.commitTime
            return
        case .snapshotCompleted: return
        case let .schema(change): key = Key(op: "schema", table: change.new.description)
        }
        pending[key, default: (0, 0)].events += 1
        pending[key, default: (0, 0)].bytes += bytes
    }

    /// Notes `count` rows of `relation` read by the initial snapshot or by backfill `backfill`, written
    /// as lines that took `bytes`.
    func recordReads(of relation: Relation, count: Int, bytes: Int, backfill: String?) {
        let key = Key(op: "read", table: relation.description)
        pending[key, default: (0, 0)].events += count
        pending[key, default: (0, 0)].bytes += bytes
        if let backfill {
            // As `record(_:bytes:)` counts a backfilled row.
            backfillRows[key.table, default: 0] += count
            backfills[backfill]?.rows += count
        }
    }

    /// Adds what was gathered to the counters (a batch was handed over).
    func publish() {
        for (key, counts) in pending {
            let pair =
                counters[key]
                ?? {
                    let dimensions = [("op", key.op), ("table", key.table)]
                    let made = (
                        Counter(label: "pgcdc_events_total", dimensions: dimensions),
                        Counter(label: "pgcdc_bytes_total", dimensions: dimensions)
                    )
                    counters[key] = made
                    return made
                }()
            pair.events.increment(by: Int64(counts.events))
            pair.bytes.increment(by: Int64(counts.bytes))
        }
        pending.removeAll(keepingCapacity: true)
        for (table, rows) in backfillRows {
            let counter =
                backfillCounters[table]
                ?? {
                    let made = Counter(label: "pgcdc_backfill_rows_total", dimensions: [("table", table)])
                    backfillCounters[table] = made
                    return made
                }()
            counter.increment(by: Int64(rows))
        }
        backfillRows.removeAll(keepingCapacity: true)
        for backfill in backfills.values { backfill.gauge.record(Double(max(0, backfill.estimate - backfill.rows))) }
        if pendingTransactions > 0 {
            transactions.increment(by: Int64(pendingTransactions))
            pendingTransactions = 0
        }
    }

    func recordFlush(nanoseconds: UInt64) {
        flushTimer.recordNanoseconds(Int64(clamping: nanoseconds))
    }

    /// Updates the lag gauges and the checkpoint position.
    func recordPosition(durable: LSN, serverPosition: LSN, idle: Bool) {
        checkpointLSN.record(Double(durable.value))
        lagBytes.record(serverPosition > durable ? Double(serverPosition.value - durable.value) : 0)
        if idle || lastCommitTime == nil {
            lagSeconds.record(0)
        } else if let lastCommitTime {
            let now = Double(timeSource.unixMicroseconds())
            lagSeconds.record(max(0, (now - Double(lastCommitTime.unixMicroseconds)) / 1e6))
        }
    }

    /// Records what a slot check found (by the session, once a check interval).
    static func record(_ retention: SlotRetention) {
        Gauge(label: "pgcdc_slot_wal_retained_bytes").record(Double(retention.retainedBytes))
        if let share = retention.share { Gauge(label: "pgcdc_slot_wal_retained_ratio").record(share) }
    }
}
