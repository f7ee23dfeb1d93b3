import PostgresCDC

/// Library errors in the CLI's words: the library names settings by their properties
/// (`createSlot = true`); here they become the options that set them (`--create-slot`), as
/// swift-argument-parser keeps its errors' data apart from the text its message generator writes.
enum CLIErrorMessage {
    /// The one line the CLI prints for `error`.
    static func text(for error: any Error) -> String {
        switch error {
        case let error as ReplicationError: return error.render(name: option)
        case let error as ConfigurationProblem: return error.render(name: option)
        case let error as SinkError:
            return SinkError(destination: error.destination, operation: error.operation, reason: options(in: error.reason)).description
        case let error as CheckpointError:
            guard let mismatch = error.slotMismatch, let stored = mismatch.storedSlots.first else { return "\(error)" }
            return checkpointOfAnotherSlot(path: error.path, slot: mismatch.slot, stored: stored)
        default: return "\(error)"
        }
    }

    /// The CLI keeps one slot's checkpoint per `--checkpoint` file: a file of another slot most
    /// likely means a misspelt `--slot` (which, with `--create-slot`, would start a new slot).
    static func checkpointOfAnotherSlot(path: String, slot: String, stored: String) -> String {
        "checkpoint \(path): belongs to slot \"\(stored)\", not \"\(slot)\"; is --slot misspelt? Pass --slot \(stored) to resume it, "
            + "or give slot \"\(slot)\" a --checkpoint file of its own to start it afresh"
    }

    /// The option (with its value) that sets `setting`.
    static func option(_ setting: SettingValue) -> String {
        let value = setting.value.map { $0.hasPrefix(".") ? String($0.dropFirst()) : $0 }
        switch setting.setting {
        case .protocolVersion: return "--proto-version" + (value.map { " \($0)" } ?? "")
        case .streaming: return "--streaming" + (value.map { " \($0)" } ?? "")
        case .binaryValues: return value == "false" ? "--no-binary" : "--binary"
        case .twoPhase: return "--two-phase"
        case .failoverSlot: return value == "false" ? "--no-failover-slot" : "--failover-slot"
        case .preparedTransactionsDirectory: return "--checkpoint FILE or --sink file:PATH"
        case .localChangesOnly: return value == "false" ? "--origin any" : "--origin none"
        case .spillDirectory: return "--spill-dir" + (value.map { " \($0)" } ?? "")
        case .tables: return "--tables"
        case .snapshot:
            let mode = SnapshotMode.allCases.first { "\($0)" == value }
            return "--snapshot" + ((mode?.rawValue ?? value).map { " \($0)" } ?? "")
        case .createSlot: return "--create-slot"
        case .createPublication: return "--create-publication"
        case .onGap: return "--on-gap" + (value.map { " \($0)" } ?? "")
        case .onEmptyStore:
            let policy = EmptyStorePolicy.allCases.first { "\($0)" == value }
            return "--on-empty-store" + ((policy?.rawValue ?? value).map { " \($0)" } ?? "")
        case .serverTimeout: return "--server-timeout"
        case .filter: return "--exclude-columns"
        case .keylessTables: return "--keyless-tables" + (value.map { " \($0)" } ?? "")
        case .backfills: return "--backfill" + (value.map { " \($0)" } ?? "")
        }
    }
}
