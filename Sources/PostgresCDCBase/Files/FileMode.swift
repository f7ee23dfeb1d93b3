#if canImport(Glibc)
import Glibc
#endif

/// The permission bits of the files pgcdc creates: output files and their rotations, origin
/// records and checkpoints.
///
/// The default, ``ownerReadWrite`` (`0600`), is what `pg_recvlogical` gives its output file: the
/// changes of every table are readable by their owner only. A mode lets a group read them
/// (`0640`) or write them (`0660`); it always lets the owner read and write, never executes, and
/// never lets others write, so it lies between `0600` and `0664`. Files are given exactly this
/// mode, whatever the process's umask. Directories pgcdc creates are `0700`.
public struct FileMode: Sendable, Hashable, CustomStringConvertible {
    /// The permission bits, e.g. `0o640`.
    public let bits: UInt16

    /// `0600`: the owner reads and writes, nobody else has access (the default).
    public static let ownerReadWrite = FileMode(checked: 0o600)

    /// The mode of `bits`, or `nil` unless the owner may read and write, nobody may execute and
    /// others may not write (`0o600`…`0o664`).
    public init?(bits: UInt16) {
        guard bits & 0o600 == 0o600, bits & ~UInt16(0o664) == 0 else { return nil }
        self.bits = bits
    }

    /// The mode written in octal (`"0640"`, `"640"` or `"0o640"`), or `nil` when the text is not
    /// octal or the mode is not allowed (see ``init(bits:)``).
    public init?(octal text: String) {
        let digits = text.hasPrefix("0o") ? text.dropFirst(2) : Substring(text)
        guard !digits.isEmpty, digits.count <= 4, let bits = UInt16(digits, radix: 8) else { return nil }
        self.init(bits: bits)
    }

    private init(checked bits: UInt16) {
        self.bits = bits
    }

    /// The mode in octal with a leading zero, as `chmod` takes it: `0640`.
    public var description: String {
        let digits = String(bits, radix: 8)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    /// The bits as the system calls take them.
    var systemMode: mode_t { mode_t(bits) }
}
