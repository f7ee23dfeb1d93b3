/// A setting of ``StreamConfiguration``, as errors name it: the library says the property
/// (`protocolVersion`), a front end such as the CLI says its own name for it (its option).
public enum StreamSetting: String, Sendable, Hashable, CaseIterable {
    case protocolVersion
    case streaming
    case binaryValues
    case twoPhase
    case failoverSlot
    case preparedTransactionsDirectory
    case localChangesOnly
    case spillDirectory
    case tables
    case snapshot
    case createSlot
    case createPublication
    case onGap
    case onEmptyStore
    case serverTimeout
    case filter
    case keylessTables
    case backfills
}

/// A setting with a value, as an error names it: `streaming = .parallel`, `protocolVersion = 4`.
public struct SettingValue: Sendable, Hashable, CustomStringConvertible {
    /// The setting.
    public var setting: StreamSetting
    /// Its value as the library spells it (`.parallel`, `4`, `true`); `nil` when the setting alone is meant.
    public var value: String?

    /// A setting, with a value or alone.
    public init(_ setting: StreamSetting, _ value: String? = nil) {
        self.setting = setting
        self.value = value
    }

    /// `setting = value`, or the setting alone.
    public var description: String {
        value.map { "\(setting.rawValue) = \($0)" } ?? setting.rawValue
    }
}
