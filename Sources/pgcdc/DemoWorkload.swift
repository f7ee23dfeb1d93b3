/// The small shop schema and transactions that `pgcdc demo` streams.
enum DemoWorkload {
    /// The publication the demo streams.
    static let publication = "pgcdc_demo"

    /// Schema and publication.
    static let setupSQL = """
        CREATE SCHEMA shop;
        CREATE TABLE shop.customers (
            id bigserial PRIMARY KEY,
            name text NOT NULL,
            email text UNIQUE,
            created_at timestamptz NOT NULL DEFAULT now()
        );
        CREATE TABLE shop.orders (
            id bigserial PRIMARY KEY,
            customer_id bigint NOT NULL REFERENCES shop.customers(id),
            total numeric(12,2) NOT NULL,
            status text NOT NULL DEFAULT 'placed',
            items jsonb NOT NULL,
            tags text[],
            placed_at timestamptz NOT NULL DEFAULT now()
        );
        CREATE PUBLICATION \(publication) FOR TABLES IN SCHEMA shop;
        """

    /// One SQL script per transaction.
    static func transactions() -> [String] {
        [
            "INSERT INTO shop.customers (name, email) VALUES ('Ada Lovelace', 'ada@example.com')",
            """
            INSERT INTO shop.customers (name, email)
                VALUES ('Grace Hopper', 'grace@example.com'), ('Edsger Dijkstra', 'edsger@example.com')
            """,
            """
            BEGIN;
            INSERT INTO shop.orders (customer_id, total, items, tags)
                VALUES (1, 42.50, '[{"sku": "tea-earl-grey", "qty": 2}, {"sku": "scone", "qty": 3}]', '{gift,express}');
            SELECT pg_logical_emit_message(true, 'demo', 'order 1 placed');
            COMMIT;
            """,
            "INSERT INTO shop.orders (customer_id, total, items) VALUES (2, 9.99, '[{\"sku\": \"compiler-manual\", \"qty\": 1}]')",
            "UPDATE shop.orders SET status = 'shipped' WHERE id = 1",
            "UPDATE shop.customers SET email = 'amazing.grace@example.com' WHERE id = 2",
            "BEGIN; INSERT INTO shop.orders (customer_id, total, items) VALUES (3, 0.01, '[]'); ROLLBACK;",
            "DELETE FROM shop.orders WHERE id = 2",
        ]
    }
}
