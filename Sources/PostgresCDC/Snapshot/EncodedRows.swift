/// Snapshot rows already written as lines (``SnapshotRowEncoder``): their bytes and a descriptor
/// per line, the descriptors' ends counted from the start of `bytes`.
package struct EncodedRows: Sendable {
    /// The table the rows belong to.
    package let relation: Relation
    /// The number of rows (and lines).
    package let rows: Int
    /// The lines.
    package var bytes: [UInt8]
    /// A descriptor per line.
    package var lines: [LineDescriptor]
}
