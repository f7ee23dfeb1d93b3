import PGOutput

/// A DDL command (`CREATE TABLE`, `ALTER TABLE … RENAME`, `DROP INDEX`, …) run on the database,
/// in commit order with the changes, as the event triggers `pgcdc ddl install` creates (on
/// `ddl_command_end` and `sql_drop`) send it. pgoutput itself carries no DDL: without the
/// triggers a table's new shape shows only when a row uses it (``ChangeEvent/schema(_:)``).
///
/// One event per command: a statement that creates several objects (a table with a `serial`
/// column and a primary key) gives one for each.
public struct DDLEvent: Sendable, Hashable {
    /// The transaction that ran the command.
    public let transaction: TransactionInfo
    /// 0-based position in its transaction.
    public let seq: Int
    /// The WAL position of the trigger's message.
    public let lsn: LSN
    /// The command tag: `CREATE TABLE`, `ALTER TABLE`, `DROP TABLE`, `CREATE INDEX`, …
    public let commandTag: String
    /// The kind of object: `table`, `index`, `sequence`, `view`, `function`, `table column`, …
    public let objectType: String
    /// The object's schema; `nil` for objects outside schemas (a schema, an extension).
    public let schema: String?
    /// The object, qualified and quoted as `pg_identify_object` gives it: `public.orders`.
    public let objectIdentity: String
    /// The text the client sent: the statement, or the whole query string when it held several
    /// (at most 64 KiB; cut there).
    public let statement: String

    package init(
        transaction: TransactionInfo, seq: Int, lsn: LSN, commandTag: String, objectType: String, schema: String?,
        objectIdentity: String, statement: String
    ) {
        self.transaction = transaction
        self.seq = seq
        self.lsn = lsn
        self.commandTag = commandTag
        self.objectType = objectType
        self.schema = schema
        self.objectIdentity = objectIdentity
        self.statement = statement
    }
}
