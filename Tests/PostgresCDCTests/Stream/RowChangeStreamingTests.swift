import Foundation
import Testing
@testable import PostgresCDC

/// Inserts, updates and deletes under every replica identity, streamed from a real server.
@Suite struct RowChangeStreamingTests {
    @Test func insertUpdateDeleteArriveWithKeyOldAndNew() throws {
        let fixture = try StreamFixture.make(
            setup: """
                CREATE TABLE users (id int PRIMARY KEY, name text, score int);
                CREATE PUBLICATION pub FOR TABLE users;
                """)
        let stream = try fixture.capture([
            "INSERT INTO users VALUES (1, 'ada', 10)",
            "UPDATE users SET score = 11 WHERE id = 1",
            "UPDATE users SET id = 2 WHERE id = 1",
            "DELETE FROM users WHERE id = 2",
        ])
        let events = stream.changes
        #expect(events.map { $0["op"] as? String } == ["insert", "update", "update", "delete"])
        for event in events {
            #expect(event["schema"] as? String == "public")
            #expect(event["table"] as? String == "users")
            #expect(event["key"] as? [String] == ["id"])
            #expect(event["seq"] as? Int == 0)
        }
        #expect(events[0]["new"] as? NSDictionary == ["id": 1, "name": "ada", "score": 10])
        #expect(events[0]["old"] == nil)
        // A non-key update carries no old row under REPLICA IDENTITY DEFAULT.
        #expect(events[1]["old"] == nil)
        #expect(events[1]["new"] as? NSDictionary == ["id": 1, "name": "ada", "score": 11])
        // A key change carries the old key, and only the key.
        #expect(events[2]["old"] as? NSDictionary == ["id": 1])
        #expect(events[2]["new"] as? NSDictionary == ["id": 2, "name": "ada", "score": 11])
        #expect(events[3]["old"] as? NSDictionary == ["id": 2])
        #expect(events[3]["new"] == nil)
        // Each transaction has its own commit LSN, increasing.
        let commits = events.compactMap { ($0["commit_lsn"] as? String).flatMap(LSN.init) }
        #expect(commits.count == 4)
        #expect(commits == commits.sorted())
        #expect(Set(commits).count == 4)
    }

    @Test func replicaIdentityFullSendsTheWholeOldRow() throws {
        let fixture = try StreamFixture.make(
            setup: """
                CREATE TABLE items (id int PRIMARY KEY, label text, qty int);
                ALTER TABLE items REPLICA IDENTITY FULL;
                CREATE PUBLICATION pub FOR TABLE items;
                INSERT INTO items VALUES (1, 'bolt', 5);
                """)
        let stream = try fixture.capture([
            "UPDATE items SET qty = 6 WHERE id = 1",
            "DELETE FROM items WHERE id = 1",
        ])
        let events = stream.changes
        #expect(events.count == 2)
        #expect(events[0]["key"] as? [String] == ["id", "label", "qty"])
        #expect(events[0]["old"] as? NSDictionary == ["id": 1, "label": "bolt", "qty": 5])
        #expect(events[0]["new"] as? NSDictionary == ["id": 1, "label": "bolt", "qty": 6])
        #expect(events[1]["old"] as? NSDictionary == ["id": 1, "label": "bolt", "qty": 6])
    }

    @Test func replicaIdentityUsingIndexKeysOnTheIndexColumns() throws {
        let fixture = try StreamFixture.make(
            setup: """
                CREATE TABLE accounts (id int PRIMARY KEY, email text NOT NULL, plan text);
                CREATE UNIQUE INDEX accounts_email ON accounts (email);
                ALTER TABLE accounts REPLICA IDENTITY USING INDEX accounts_email;
                CREATE PUBLICATION pub FOR TABLE accounts;
                INSERT INTO accounts VALUES (1, 'a@example.com', 'free');
                """)
        let stream = try fixture.capture([
            "UPDATE accounts SET email = 'b@example.com' WHERE id = 1",
            "DELETE FROM accounts WHERE id = 1",
        ])
        let events = stream.changes
        #expect(events.count == 2)
        #expect(events[0]["key"] as? [String] == ["email"])
        #expect(events[0]["old"] as? NSDictionary == ["email": "a@example.com"])
        #expect(events[0]["new"] as? NSDictionary == ["id": 1, "email": "b@example.com", "plan": "free"])
        #expect(events[1]["old"] as? NSDictionary == ["email": "b@example.com"])
    }

    @Test func replicaIdentityNothingHasAnEmptyKey() throws {
        // Without a replica identity the server refuses updates and deletes of published tables,
        // so such a table is published for inserts.
        let fixture = try StreamFixture.make(
            setup: """
                CREATE TABLE log (at int, line text);
                ALTER TABLE log REPLICA IDENTITY NOTHING;
                CREATE PUBLICATION pub FOR TABLE log WITH (publish = 'insert');
                """)
        let stream = try fixture.capture(["INSERT INTO log VALUES (1, 'started')", "UPDATE log SET line = 'x'"])
        let events = stream.changes
        #expect(events.count == 1)
        #expect(events[0]["key"] as? [String] == [])
        #expect(events[0]["new"] as? NSDictionary == ["at": 1, "line": "started"])
    }

    @Test func unchangedToastValueIsLeftOutAndNamed() throws {
        let fixture = try StreamFixture.make(
            setup: """
                CREATE TABLE docs (id int PRIMARY KEY, title text, body text);
                CREATE PUBLICATION pub FOR TABLE docs;
                INSERT INTO docs SELECT 1, 'first', string_agg(md5(i::text), '') FROM generate_series(1, 40000) i;
                """)
        let bodyLength = try fixture.server.psql("SELECT length(body) FROM docs", database: fixture.database)
        #expect(bodyLength == "1280000")
        let stream = try fixture.capture(["UPDATE docs SET title = 'renamed' WHERE id = 1"])
        let events = stream.changes
        #expect(events.count == 1)
        #expect(events[0]["new"] as? NSDictionary == ["id": 1, "title": "renamed"])
        #expect(events[0]["unchanged_toast"] as? [String] == ["body"])
    }

    @Test func unchangedToastValueComesFromTheOldRowUnderReplicaIdentityFull() throws {
        let fixture = try StreamFixture.make(
            setup: """
                CREATE TABLE docs (id int PRIMARY KEY, title text, body text);
                ALTER TABLE docs REPLICA IDENTITY FULL;
                CREATE PUBLICATION pub FOR TABLE docs;
                INSERT INTO docs SELECT 1, 'first', string_agg(md5(i::text), '') FROM generate_series(1, 40000) i;
                """)
        let stream = try fixture.capture(["UPDATE docs SET title = 'renamed' WHERE id = 1"])
        let events = stream.changes
        #expect(events.count == 1)
        let new = events[0]["new"] as? [String: Any]
        #expect(new?["title"] as? String == "renamed")
        #expect((new?["body"] as? String)?.count == 1_280_000)
        #expect(events[0]["unchanged_toast"] == nil)
    }

    @Test func aToastedKeyColumnTheUpdateDidNotChangeComesFromTheOldKey() throws {
        // A key stored out of line (STORAGE EXTERNAL, and the row too wide for its page) that an
        // update leaves alone is sent as unchanged TOAST in the new row; the server logs the old
        // key with its value because the key is stored externally. The new row takes it from there.
        let fixture = try StreamFixture.make(
            setup: """
                CREATE TABLE docs (name text PRIMARY KEY, title text);
                ALTER TABLE docs ALTER COLUMN name SET STORAGE EXTERNAL;
                CREATE PUBLICATION pub FOR TABLE docs;
                INSERT INTO docs SELECT string_agg(md5(i::text), ''), 'first' FROM generate_series(1, 75) i;
                """)
        let name = try fixture.server.psql("SELECT name FROM docs", database: fixture.database)
        #expect(name.count == 2400)
        let stream = try fixture.capture(["UPDATE docs SET title = 'renamed'"])
        let events = stream.changes
        #expect(events.count == 1)
        #expect(events[0]["old"] as? NSDictionary == ["name": name])
        #expect(events[0]["new"] as? NSDictionary == ["name": name, "title": "renamed"])
        #expect(events[0]["unchanged_toast"] == nil)
    }
}
