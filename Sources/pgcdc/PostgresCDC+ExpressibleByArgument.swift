import ArgumentParser
import PostgresCDC

// The library's setting enums, parsed from their raw values (`--snapshot initial-only`, `--on-gap resnapshot`).
extension SnapshotMode: ExpressibleByArgument {}
extension OutputFormat: ExpressibleByArgument {}
extension StreamingMode: ExpressibleByArgument {}
extension GapPolicy: ExpressibleByArgument {}
extension EmptyStorePolicy: ExpressibleByArgument {}
extension KeylessTablePolicy: ExpressibleByArgument {}
