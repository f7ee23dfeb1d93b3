import Foundation
import Logging

/// A swift-log handler that keeps every message, for tests that check what the library logs.
public struct RecordingLogHandler: LogHandler {
    /// The messages logged through every copy of the handler.
    public final class Messages: @unchecked Sendable {  // guarded by `lock`
        private let lock = NSLock()
        private var entries: [(level: Logger.Level, message: String, metadata: String)] = []

        public init() {}

        func append(_ level: Logger.Level, _ message: String, metadata: String = "") {
            lock.withLock { entries.append((level, message, metadata)) }
        }

        /// Every line logged, at any level, with its metadata (`message key=value …`).
        public var lines: [String] {
            lock.withLock { entries.map { "\($0.level) \($0.message)\($0.metadata)" } }
        }

        /// The messages logged at `level`.
        public func messages(at level: Logger.Level) -> [String] {
            lock.withLock { entries.filter { $0.level == level }.map(\.message) }
        }
    }

    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .trace
    let messages: Messages

    /// A logger whose messages land in `messages`.
    public static func logger(into messages: Messages) -> Logger {
        Logger(label: "test") { _ in RecordingLogHandler(messages: messages) }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        let rendered = merged.sorted { $0.key < $1.key }.map { " \($0.key)=\($0.value)" }.joined()
        messages.append(event.level, "\(event.message)", metadata: rendered)
    }
}
