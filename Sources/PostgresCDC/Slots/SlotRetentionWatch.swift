/// Decides, check after check, when the WAL a slot retains deserves a warning — without I/O, so
/// every case is tested on hand-made ``SlotRetention`` values.
///
/// A warning when the share first passes the threshold, again each time it grows by another
/// ``step`` (a growing backlog is not reported once and forgotten), and at every check while
/// `wal_status` is `unreserved` (the WAL the slot needs goes at the next checkpoint); a notice
/// once it is back under.
struct SlotRetentionWatch: Sendable {
    /// What to tell the person running pgcdc.
    enum Notice: Sendable, Equatable {
        case warning(String)
        case recovered(String)
    }

    /// The share of ``SlotRetention/share`` that warrants a warning.
    let threshold: Double
    /// How much more the share must grow before the next warning.
    package static let step = 0.1
    private var warnedAt: Double?

    package init(threshold: Double) {
        self.threshold = threshold
    }

    /// What a check that found `retention` should report, if anything.
    mutating func assess(_ retention: SlotRetention) -> Notice? {
        if retention.walStatus == "unreserved" {
            warnedAt = max(warnedAt ?? 0, retention.share ?? 0)
            return .warning(
                "the slot retains more WAL than max_slot_wal_keep_size allows (wal_status unreserved): the server removes it at "
                    + "the next checkpoint and invalidates the slot unless pgcdc catches up first; \(retention.summary)")
        }
        guard let share = retention.share else { return nil }
        if share >= threshold {
            if let warnedAt, share < warnedAt + Self.step { return nil }
            warnedAt = share
            return .warning(
                "the slot retains \(Int((share * 100).rounded()))% of what it may (warning at \(Int((threshold * 100).rounded()))%): "
                    + "the server invalidates a slot past max_slot_wal_keep_size, or runs out of disk; pgcdc is behind or was "
                    + "stopped; \(retention.summary)")
        }
        guard warnedAt != nil else { return nil }
        warnedAt = nil
        return .recovered("the slot's retained WAL is back under the warning threshold: \(retention.summary)")
    }
}
