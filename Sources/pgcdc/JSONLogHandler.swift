import Foundation
import Logging
import PostgresCDC

/// A swift-log handler that writes one JSON object per log line to stderr:
/// `{"ts":"…","level":"info","label":"pgcdc","source":"PostgresCDC","message":"…","slot":"…",…}`.
struct JSONLogHandler: LogHandler {
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]
    let label: String

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var fields: [String: String] = [:]
        for (key, value) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 }) { fields[key] = "\(value)" }
        var object: [String: Any] = fields
        object["ts"] = ISO8601DateFormatter.logFormatter.string(from: Date())
        object["level"] = event.level.rawValue
        object["label"] = label
        object["source"] = event.source
        object["message"] = event.message.description
        if let error = event.error { object["error"] = "\(error)" }
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) else {
            return
        }
        FileHandleOutput.standardError(String(decoding: data, as: UTF8.self) + "\n")
    }
}

extension ISO8601DateFormatter {
    /// `2026-11-25T09:14:03.118Z`.
    nonisolated(unsafe) static let logFormatter: ISO8601DateFormatter = {
        // Safe: configured once here and only read afterwards; ISO8601DateFormatter is thread-safe for formatting.
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter
    }()
}
