/// What a stream does with a published table whose updates and deletes carry no old key: its
/// replica identity is `NOTHING`, or `DEFAULT` while it has no primary key. The server then
/// refuses updates and deletes of that table while the publication publishes them, and a
/// consumer cannot tell which row a change is about.
public enum KeylessTablePolicy: String, Sendable, CaseIterable {
    /// Stream it without a word.
    case allow
    /// Stream it and log a warning naming the table, once per table and connection.
    case warn
    /// Stop with ``ReplicationError/keylessTable(table:replicaIdentity:)`` naming the table.
    case refuse
}
