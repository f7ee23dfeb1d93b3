import ArgumentParser

/// `--origin any|none`.
enum OriginOption: String, ExpressibleByArgument, CaseIterable {
    case any, none
}
