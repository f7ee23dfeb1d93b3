import Logging
import PGOutput

/// The checks and set-up done on a replication connection before `START_REPLICATION`:
/// wal_level, publication, slot. Each failure is a ``ReplicationError`` naming what is missing.
enum ReplicationSetup {
    /// Verifies `wal_level = logical`.
    static func checkWalLevel(_ connection: PostgresConnection) throws(ReplicationError) {
        let level = try connection.query("SHOW wal_level", describedAs: "SHOW wal_level").value(0, "wal_level") ?? "?"
        guard level == "logical" else {
            throw .walLevelNotLogical(actual: level, host: connection.serverAddress)
        }
    }

    /// Makes sure the publication exists, creating it when asked to.
    static func preparePublication(_ configuration: StreamConfiguration, on connection: PostgresConnection, logger: Logger)
        throws(ReplicationError)
    {
        let name = configuration.publication
        let found = try connection.query(
            "SELECT 1 FROM pg_catalog.pg_publication WHERE pubname = \(try connection.quoteLiteral(name))",
            describedAs: "publication lookup"
        )
        if !found.rows.isEmpty { return }
        guard configuration.createPublication else {
            throw .publicationNotFound(publication: name, database: connection.databaseName)
        }
        var sql = "CREATE PUBLICATION \(try connection.quoteIdentifier(name))"
        if configuration.tables.isEmpty {
            sql += " FOR ALL TABLES"
        } else {
            var names: [String] = []
            for table in configuration.tables {
                names.append(try qualifiedName(table, on: connection))
            }
            sql += " FOR TABLE " + names.joined(separator: ", ")
        }
        try connection.query(sql, describedAs: "CREATE PUBLICATION \(name)")
        logger.info(
            "created publication",
            metadata: [
                "publication": "\(name)", "tables": "\(configuration.tables.isEmpty ? "all" : configuration.tables.joined(separator: ","))",
            ])
    }

    /// A table of the publication, as the stream's filters keep it.
    struct PublishedTable {
        /// `schema.table`.
        var name: String
        var oid: String
        /// Whether it has a primary key (a backfill needs one).
        var hasPrimaryKey: Bool
    }

    /// The publication's tables the stream's filters keep, by name. A simple query, so that it
    /// runs on a replication connection too.
    static func publishedTables(_ configuration: StreamConfiguration, on connection: PostgresConnection)
        throws(ReplicationError) -> [PublishedTable]
    {
        let result = try connection.query(
            """
            SELECT pt.schemaname, pt.tablename, c.oid,
                   EXISTS (SELECT FROM pg_catalog.pg_index i WHERE i.indrelid = c.oid AND i.indisprimary) AS keyed
            FROM pg_catalog.pg_publication_tables pt
            JOIN pg_catalog.pg_namespace n ON n.nspname = pt.schemaname
            JOIN pg_catalog.pg_class c ON c.relnamespace = n.oid AND c.relname = pt.tablename
            WHERE pt.pubname = \(try connection.quoteLiteral(configuration.publication))
            ORDER BY 1, 2
            """,
            describedAs: "tables of publication \(configuration.publication)")
        var tables: [PublishedTable] = []
        for row in result.rows.indices {
            guard let schema = result.value(row, "schemaname"), let table = result.value(row, "tablename"),
                let oid = result.value(row, "oid"), configuration.filter.includes(schema: schema, table: table)
            else { continue }
            tables.append(PublishedTable(name: "\(schema).\(table)", oid: oid, hasPrimaryKey: result.value(row, "keyed") == "t"))
        }
        return tables
    }

    /// The slot when it exists and pgcdc can use it (its plugin, database, type and two-phase
    /// setting fit, and no other connection holds it); `nil` when it does not exist.
    static func inspectSlot(_ configuration: StreamConfiguration, on connection: PostgresConnection) throws(ReplicationError)
        -> ExistingSlot?
    {
        let name = configuration.slot
        let version = connection.serverVersion
        let found = try connection.query(
            """
            SELECT plugin, slot_type, database, active, active_pid, temporary, confirmed_flush_lsn,
                   \(version >= 140000 ? "two_phase" : "false AS two_phase"),
                   \(version >= 130000 ? "wal_status" : "NULL AS wal_status"),
                   \(version >= 160000 ? "conflicting" : "NULL AS conflicting"),
                   \(version >= 170000 ? "invalidation_reason, failover" : "NULL AS invalidation_reason, NULL AS failover")
            FROM pg_catalog.pg_replication_slots WHERE slot_name = \(try connection.quoteLiteral(name))
            """,
            describedAs: "slot lookup"
        )
        let host = connection.serverAddress
        guard !found.rows.isEmpty else { return nil }
        if configuration.temporarySlot {
            throw .slotUnusable(slot: name, reason: "a slot of that name already exists; a temporary slot needs a new name")
        }
        guard found.value(0, "slot_type") == "logical" else {
            throw .slotUnusable(slot: name, reason: "it is a physical slot")
        }
        guard found.value(0, "plugin") == "pgoutput" else {
            throw .slotUnusable(slot: name, reason: "it uses the output plugin \(found.value(0, "plugin") ?? "?"), pgcdc needs pgoutput")
        }
        guard found.value(0, "database") == connection.databaseName else {
            throw .slotUnusable(
                slot: name, reason: "it belongs to database \(found.value(0, "database") ?? "?"), not \(connection.databaseName)")
        }
        if found.value(0, "two_phase") == "t" && !configuration.twoPhase {
            // Once a start with two_phase enabled it, the server decodes prepared transactions at
            // PREPARE for this slot whatever later starts ask for.
            throw .slotHasTwoPhase(slot: name)
        }
        if found.value(0, "active") == "t" {
            throw .slotActive(slot: name, pid: found.value(0, "active_pid").flatMap { Int($0) }, host: host)
        }
        let invalidation = SlotInvalidation(
            reason: found.value(0, "invalidation_reason"), conflicting: found.value(0, "conflicting"),
            walStatus: found.value(0, "wal_status"))
        return ExistingSlot(
            confirmedFlush: found.value(0, "confirmed_flush_lsn").flatMap { LSN($0) } ?? .zero,
            invalidation: invalidation,
            failover: found.value(0, "failover").map { $0 == "t" }
        )
    }

    /// Whether every column of every table in the publication has a type whose binary form pgcdc
    /// can turn into text (the choice of values for ``StreamConfiguration/binaryValues`` `nil`).
    static func publishedTypesConvertFromBinary(
        _ configuration: StreamConfiguration, catalog: TypeCatalog, on connection: PostgresConnection
    ) throws(ReplicationError) -> Bool {
        let result = try connection.query(
            """
            SELECT DISTINCT a.atttypid
            FROM pg_catalog.pg_publication_tables p
            JOIN pg_catalog.pg_namespace n ON n.nspname = p.schemaname
            JOIN pg_catalog.pg_class c ON c.relnamespace = n.oid AND c.relname = p.tablename
            JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid
            WHERE p.pubname = \(try connection.quoteLiteral(configuration.publication)) AND a.attnum > 0 AND NOT a.attisdropped
            """,
            describedAs: "column types of publication \(configuration.publication)"
        )
        return result.rows.allSatisfy { row in
            guard row.count == 1, let text = row[0], let oid = UInt32(text) else { return false }
            return catalog.binaryFormat(for: oid) != .unsupported
        }
    }

    /// Types created in the database (OID >= 16384, FirstNormalObjectId), every array, domain and
    /// composite type from pg_type (information_schema's domains and the catalogs' row types are
    /// below 16384), with each range's subtype, each multirange's range and each composite's attribute
    /// types; the common built-ins are also known statically. The money format is learned once.
    static func loadCustomTypes(into catalog: inout TypeCatalog, from connection: PostgresConnection) throws(ReplicationError) {
        // pg_range.rngmultitypid exists from PostgreSQL 14, with multiranges.
        let multirangeRange =
            connection.serverVersion >= 140000
            ? "(SELECT m.rngtypid FROM pg_catalog.pg_range m WHERE m.rngmultitypid = t.oid)" : "NULL::oid"
        let result = try connection.query(
            """
            SELECT t.oid, t.typtype,
                   CASE WHEN t.typinput = 'pg_catalog.array_in'::regproc THEN t.typelem ELSE 0 END,
                   t.typbasetype, coalesce(e.typdelim, t.typdelim),
                   coalesce(r.rngsubtype, \(multirangeRange), 0),
                   CASE WHEN t.typtype = 'c' THEN (
                       SELECT string_agg(a.atttypid::text, ',' ORDER BY a.attnum) FROM pg_catalog.pg_attribute a
                       WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped) END
            FROM pg_catalog.pg_type t LEFT JOIN pg_catalog.pg_type e ON e.oid = t.typelem
            LEFT JOIN pg_catalog.pg_range r ON r.rngtypid = t.oid
            WHERE t.oid >= 16384 OR t.typinput = 'pg_catalog.array_in'::regproc OR t.typtype IN ('c', 'd')
            """,
            describedAs: "type catalog"
        )
        for row in result.rows {
            guard row.count == 7,
                let oid = row[0].flatMap({ UInt32($0) }),
                let typtype = row[1]?.utf8.first,
                let element = row[2].flatMap({ UInt32($0) }),
                let base = row[3].flatMap({ UInt32($0) }),
                let delimiter = row[4]?.utf8.first,
                let range = row[5].flatMap({ UInt32($0) })
            else { continue }
            let attributes = row[6].map { $0.split(separator: ",").compactMap { UInt32($0) } } ?? []
            catalog.add(
                TypeRow(
                    oid: oid, typtype: typtype, typelem: element, typbasetype: base, typdelim: delimiter, rangeSubtype: range,
                    attributes: attributes))
        }
        if !catalog.moneyLearned {
            // A server that cannot answer leaves money on text, as an unreproducible layout does.
            catalog.money = (try? learnMoneyFormat(from: connection)) ?? nil
            catalog.moneyLearned = true
        }
    }

    /// How this server writes `money` (its lc_monetary), from its own text of a few amounts;
    /// `nil` when the layout is not one ``MoneyFormat`` reproduces.
    static func learnMoneyFormat(from connection: PostgresConnection) throws(ReplicationError) -> MoneyFormat? {
        let unit = "(10::numeric ^ scale((1::money)::numeric))"
        let result = try connection.query(
            """
            SELECT scale((1::money)::numeric), (\(MoneyFormat.sampleUnits) / \(unit))::money::text,
                   (-\(MoneyFormat.sampleUnits) / \(unit))::money::text, 0::money::text, (-1 / \(unit))::money::text,
                   (123456 / \(unit))::money::text
            """,
            describedAs: "money format"
        )
        guard let row = result.rows.first, row.count == 6, let points = row[0].flatMap({ Int($0) }),
            let positive = row[1], let negative = row[2], let zero = row[3], let minusOne = row[4], let small = row[5]
        else { return nil }
        return MoneyFormat(points: points, positive: positive, negative: negative, samples: [(0, zero), (-1, minusOne), (123_456, small)])
    }

    /// The names of the primary key's columns of table `oid`, in the key's order (empty when it has none).
    static func primaryKey(of oid: UInt32, on connection: PostgresConnection) throws(ReplicationError) -> [String] {
        let result = try connection.query(
            """
            SELECT a.attname FROM pg_catalog.pg_index i
            JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
            WHERE i.indrelid = \(oid) AND i.indisprimary
            ORDER BY array_position(i.indkey::int2[], a.attnum)
            """,
            describedAs: "primary key of table \(oid)"
        )
        return result.rows.compactMap { $0.first ?? nil }
    }

    /// `"schema"."table"` from `schema.table` or `table`.
    private static func qualifiedName(_ text: String, on connection: PostgresConnection) throws(ReplicationError) -> String {
        let parts = text.split(separator: ".", maxSplits: 1).map(String.init)
        guard !parts.isEmpty, parts.allSatisfy({ !$0.isEmpty }) else {
            throw .configuration(ConfigurationProblem(SettingValue(.tables, text), needs: .tableName))
        }
        var quoted: [String] = []
        for part in parts { quoted.append(try connection.quoteIdentifier(part)) }
        return quoted.joined(separator: ".")
    }
}

extension ReplicationSetup {
    /// The name of the temporary slot that exports a snapshot for `slot` (at most 63 bytes).
    static func snapshotSlotName(for slot: String) -> String {
        String(slot.utf8.prefix(50).map { Character(UnicodeScalar($0)) }) + "_pgcdc_snapshot"
    }
}
