/// The event triggers that make DDL visible in the stream (`pgcdc ddl install`): after each DDL
/// command (`ddl_command_end`) and each drop (`sql_drop`), a function sends a transactional
/// logical decoding message with prefix ``DDLMessage/prefix`` describing it. Being transactional,
/// the message is decoded at the command's commit, in order with the rows, and is lost with it
/// when the transaction rolls back. Every stream of the database sees it (``DDLEvent``).
///
/// Installing needs a superuser (`CREATE EVENT TRIGGER`). The functions live in schema `pgcdc`,
/// are `SECURITY DEFINER` (DDL run by any role is captured) and do nothing but send the message.
/// Commands inside an extension's script and on temporary objects are left out. Without
/// `wal_level = logical` nothing is sent and the command still succeeds, with a warning.
package enum DDLTrigger {
    /// The event triggers' names.
    static let triggers = ["pgcdc_ddl_command_end", "pgcdc_sql_drop"]
    /// Longest statement text a message carries (the rest is cut).
    static let statementLimit = 65536

    /// Creates (or replaces) the schema, functions and event triggers, in one transaction.
    package static func install(dsn: String) throws(ReplicationError) {
        let connection = try PostgresConnection(dsn: dsn, replication: false)
        defer { connection.close() }
        let message = "pg_catalog.pg_logical_emit_message(true, '\(DDLMessage.prefix)', pg_catalog.json_build_object("
        // Without wal_level = logical the message cannot be sent, and the command must not fail
        // for it. (No EXCEPTION block: a message sent in a subtransaction is decoded after the
        // transaction's later rows, out of order.)
        let unsent = """
            IF current_setting('wal_level') <> 'logical' THEN
              RAISE WARNING 'pgcdc: DDL not sent to the change stream: wal_level is %, not logical', current_setting('wal_level');
              RETURN;
            END IF;
            """
        try connection.query(
            """
            BEGIN;
            SET LOCAL client_min_messages = warning;
            CREATE SCHEMA IF NOT EXISTS pgcdc;
            CREATE OR REPLACE FUNCTION pgcdc.ddl_command_end() RETURNS event_trigger
            LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $function$
            DECLARE command record;
            BEGIN
            \(unsent)
              FOR command IN SELECT * FROM pg_event_trigger_ddl_commands()
                  WHERE NOT in_extension AND schema_name IS DISTINCT FROM 'pg_temp' LOOP
                PERFORM \(message)
                  'tag', command.command_tag, 'object_type', command.object_type, 'schema', command.schema_name,
                  'identity', command.object_identity, 'statement', left(current_query(), \(statementLimit)))::text);
              END LOOP;
            END $function$;
            CREATE OR REPLACE FUNCTION pgcdc.sql_drop() RETURNS event_trigger
            LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $function$
            DECLARE dropped record;
            BEGIN
            \(unsent)
              FOR dropped IN SELECT * FROM pg_event_trigger_dropped_objects() WHERE original AND NOT is_temporary LOOP
                PERFORM \(message)
                  'tag', tg_tag, 'object_type', dropped.object_type, 'schema', dropped.schema_name,
                  'identity', dropped.object_identity, 'statement', left(current_query(), \(statementLimit)))::text);
              END LOOP;
            END $function$;
            REVOKE ALL ON FUNCTION pgcdc.ddl_command_end(), pgcdc.sql_drop() FROM PUBLIC;
            DROP EVENT TRIGGER IF EXISTS pgcdc_ddl_command_end;
            DROP EVENT TRIGGER IF EXISTS pgcdc_sql_drop;
            CREATE EVENT TRIGGER pgcdc_ddl_command_end ON ddl_command_end EXECUTE FUNCTION pgcdc.ddl_command_end();
            CREATE EVENT TRIGGER pgcdc_sql_drop ON sql_drop EXECUTE FUNCTION pgcdc.sql_drop();
            COMMIT;
            """,
            describedAs: "CREATE EVENT TRIGGER (installing the DDL trigger needs a superuser)")
    }

    /// Drops the event triggers and functions (and schema `pgcdc` when nothing else is in it).
    package static func uninstall(dsn: String) throws(ReplicationError) {
        let connection = try PostgresConnection(dsn: dsn, replication: false)
        defer { connection.close() }
        try connection.query(
            """
            BEGIN;
            SET LOCAL client_min_messages = warning;
            DROP EVENT TRIGGER IF EXISTS pgcdc_ddl_command_end;
            DROP EVENT TRIGGER IF EXISTS pgcdc_sql_drop;
            DROP FUNCTION IF EXISTS pgcdc.ddl_command_end();
            DROP FUNCTION IF EXISTS pgcdc.sql_drop();
            DO $$ BEGIN
              IF to_regnamespace('pgcdc') IS NOT NULL AND NOT EXISTS (
                  SELECT FROM pg_catalog.pg_depend WHERE refobjid = to_regnamespace('pgcdc') AND deptype = 'n') THEN
                DROP SCHEMA pgcdc;
              END IF;
            END $$;
            COMMIT;
            """,
            describedAs: "DROP EVENT TRIGGER (removing the DDL trigger needs a superuser)")
    }

    /// Whether both event triggers exist and are enabled, as the database of `connection` has them.
    package static func status(on connection: PostgresConnection) throws(ReplicationError) -> Status {
        let result = try connection.query(
            "SELECT evtname, evtenabled FROM pg_catalog.pg_event_trigger WHERE evtname IN ('pgcdc_ddl_command_end', 'pgcdc_sql_drop')",
            describedAs: "event trigger lookup")
        let enabled = result.rows.filter { $0.count == 2 && $0[1] != "D" }.count
        if enabled == triggers.count { return .installed }
        return result.rows.isEmpty ? .notInstalled : .partly
    }

    /// What ``status(on:)`` found.
    package enum Status: String, Sendable {
        case installed
        case notInstalled = "not installed"
        /// One trigger is missing or disabled.
        case partly = "partly installed (a trigger is missing or disabled)"
    }
}
