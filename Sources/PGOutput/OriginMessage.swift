/// `Origin ('O')`: the transaction was replicated from another node (replication origin).
public struct OriginMessage: Sendable, Hashable {
    /// The commit LSN on the origin server.
    public var commitLSN: LSN
    /// The origin's name.
    public var name: String

    /// A message from its fields.
    public init(commitLSN: LSN, name: String) {
        self.commitLSN = commitLSN
        self.name = name
    }

    /// Decodes the fields after the tag.
    public static func decode(from reader: inout ByteReader) throws(PGOutputError) -> OriginMessage {
        OriginMessage(commitLSN: try reader.readLSN(), name: try reader.readCString())
    }
}
