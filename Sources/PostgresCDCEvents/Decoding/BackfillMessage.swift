import Foundation

/// The logical decoding messages (`pg_logical_emit_message`, always transactional) that carry
/// backfill requests and watermarks through the WAL, so the stream meets them in commit order.
/// Every stream of the database sees them; each acts only on those naming its slot.
package enum BackfillMessage: Equatable {
    /// Start a backfill (`pgcdc.backfill`).
    case start(slot: String, BackfillRequest)
    /// Cancel one (`pgcdc.backfill`).
    case cancel(slot: String, id: String)
    /// A watermark around a chunk read (`pgcdc.watermark`): `low` before the read, `high` after;
    /// `abort` when the reader cannot go on (the reason says why).
    case watermark(slot: String, backfill: String, chunk: String, mark: Mark, reason: String?)

    package enum Mark: String, Codable {
        case low, high, abort
    }

    /// The prefix of requests.
    static let requestPrefix = "pgcdc.backfill"
    /// The prefix of watermarks.
    static let watermarkPrefix = "pgcdc.watermark"

    /// Whether a message with `prefix` is pgcdc's own (never handed out as a user's message).
    package static func isControl(prefix: String) -> Bool {
        prefix == requestPrefix || prefix == watermarkPrefix
    }

    /// The slot the message is for.
    package var slot: String {
        switch self {
        case let .start(slot, _), let .cancel(slot, _), let .watermark(slot, _, _, _, _): return slot
        }
    }

    private struct Wire: Codable {
        var slot: String
        var action: String?
        var request: BackfillRequest?
        var id: String?
        var backfill: String?
        var chunk: String?
        var mark: Mark?
        var reason: String?
    }

    /// The message's prefix.
    package var prefix: String {
        if case .watermark = self { return Self.watermarkPrefix }
        return Self.requestPrefix
    }

    /// The message's content (JSON).
    package var content: String {
        var wire: Wire
        switch self {
        case let .start(slot, request): wire = Wire(slot: slot, action: "start", request: request)
        case let .cancel(slot, id): wire = Wire(slot: slot, action: "cancel", id: id)
        case let .watermark(slot, backfill, chunk, mark, reason):
            wire = Wire(slot: slot, backfill: backfill, chunk: chunk, mark: mark, reason: reason)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        guard let data = try? encoder.encode(wire) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }

    /// The message a logical decoding message with `prefix` and `content` carries; `nil` when it is
    /// not one of pgcdc's or cannot be read (a message of another tool, a newer pgcdc).
    package init?(prefix: String, content: [UInt8]) {
        guard Self.isControl(prefix: prefix), let wire = try? JSONDecoder().decode(Wire.self, from: Data(content)) else { return nil }
        if prefix == Self.watermarkPrefix {
            guard let backfill = wire.backfill, let chunk = wire.chunk, let mark = wire.mark else { return nil }
            self = .watermark(slot: wire.slot, backfill: backfill, chunk: chunk, mark: mark, reason: wire.reason)
            return
        }
        switch wire.action {
        case "start"?:
            guard let request = wire.request else { return nil }
            self = .start(slot: wire.slot, request)
        case "cancel"?:
            guard let id = wire.id else { return nil }
            self = .cancel(slot: wire.slot, id: id)
        default:
            return nil
        }
    }
}
