import PGOutput

/// Whether a checkpoint taken on one timeline may be continued on the server's timeline.
///
/// After a failover the new primary's timeline is higher; its history file says where the old
/// timeline ended (the switch point). A consumer that stored changes past the switch point saw
/// changes the new primary never had — and LSNs after it are reused on the new timeline, so
/// resuming would also silently skip new changes. A server on a *lower* timeline is an old primary
/// that came back.
enum TimelineGate {
    /// The decision for one connect.
    enum Decision: Equatable {
        /// Same timeline, or a later one whose switch point is at or after the checkpoint.
        case proceed
        /// The server is behind the checkpoint's timeline: an old primary; try another host.
        case olderTimeline(server: UInt32, checkpoint: UInt32)
        /// The checkpoint is past where its timeline ended on this server.
        case aheadOfNewPrimary(timeline: UInt32, switchPoint: LSN, checkpoint: LSN)
        /// The history file does not mention the checkpoint's timeline.
        case unknownHistory(timeline: UInt32)
    }

    /// `stored` is the checkpoint's timeline and LSN; `history` the server's history file for its
    /// current timeline (`TIMELINE_HISTORY`), needed only when that timeline is higher.
    static func decide(storedTimeline: UInt32, storedLSN: LSN, serverTimeline: UInt32, history: String?) -> Decision {
        if serverTimeline == storedTimeline { return .proceed }
        if serverTimeline < storedTimeline { return .olderTimeline(server: serverTimeline, checkpoint: storedTimeline) }
        guard let switchPoint = switchPoint(of: storedTimeline, in: history ?? "") else { return .unknownHistory(timeline: storedTimeline) }
        return storedLSN > switchPoint
            ? .aheadOfNewPrimary(timeline: storedTimeline, switchPoint: switchPoint, checkpoint: storedLSN) : .proceed
    }

    /// Where timeline `timeline` ended, from a history file's lines `parentTLI<TAB>switchpoint<TAB>reason`.
    static func switchPoint(of timeline: UInt32, in history: String) -> LSN? {
        for line in history.split(separator: "\n") {
            let fields = line.split(whereSeparator: { $0 == "\t" || $0 == " " })
            guard fields.count >= 2, let parent = UInt32(fields[0]), parent == timeline else { continue }
            return LSN(String(fields[1]))
        }
        return nil
    }
}
