import Foundation
import Logging
import Testing
@testable import PostgresCDC

/// Snapshot rows come from COPY — in binary by default, each column's send form, or in text with
/// `binaryValues = false` — and must read exactly as the stream writes the same rows.
@Suite struct SnapshotValueTests {
    /// A table of types that have no binary conversion: read through their output function.
    static let textOnlySetup = """
        CREATE TABLE doc (id int PRIMARY KEY, owner regclass, kind regtype, acl aclitem[], note text);
        INSERT INTO doc VALUES (1, 'doc', 'int4', '{postgres=arwd/postgres}', 'tab\there'), (2, NULL, NULL, NULL, NULL),
            (3, 'pg_class', 'timestamptz[]', '{}', E'back\\\\slash\\nnewline');
        """

    /// Each row's `new` object as written, by the row's `id`: the last insert or update of a stream,
    /// or a snapshot's reads.
    static func rows(_ stream: CapturedStream) throws -> [String: String] {
        var rows: [String: String] = [:]
        for (line, object) in zip(stream.lines, stream.objects) {
            let op = object["op"] as? String
            let id = ((object["new"] ?? object["old"]) as? [String: Any])?["id"].map { "\($0)" }
            guard let id, let op else { continue }
            if op == "delete" {
                rows[id] = nil
            } else if ["insert", "update", "read"].contains(op) {
                let new: String = try #require(newObject(in: line))
                rows[id] = new
            }
        }
        return rows
    }

    /// The text of the line's `"new"` object, as written (no re-encoding of numbers).
    static func newObject(in line: String) -> String? {
        guard let start = line.range(of: #""new":{"#)?.upperBound else { return nil }
        var depth = 1
        var inString = false
        var escaped = false
        var index = start
        while index < line.endIndex, depth > 0 {
            let character = line[index]
            if inString {
                if escaped { escaped = false } else if character == "\\" { escaped = true } else if character == "\"" { inString = false }
            } else if character == "\"" {
                inString = true
            } else if character == "{" {
                depth += 1
            } else if character == "}" {
                depth -= 1
            }
            index = line.index(after: index)
        }
        return depth == 0 ? String(line[line.index(before: start)..<index]) : nil
    }

    /// Who writes the snapshot's rows as lines.
    enum Lines {
        /// Nobody: the session hands out events, encoded by the test one by one.
        case events
        /// The copying threads, every chunk.
        case copyingThreads
        /// The consumer (the session's caller), every chunk.
        case consumer
        /// Either, as the pipeline decides (the copying threads when the consumer is behind).
        case shared
    }

    /// The snapshot of the publication's tables, `initial-only`, on a slot of its own.
    static func snapshot(_ fixture: StreamFixture, binary: Bool?, jobs: Int = 1, lines: Lines = .events, name: String) throws
        -> CapturedStream
    {
        var configuration = fixture.configuration()
        configuration.slot += "_\(name)"
        configuration.snapshot = .initialOnly
        configuration.snapshotJobs = jobs
        configuration.binaryValues = binary
        let session = try ReplicationSession(configuration: configuration, logger: Logger(label: "test"))
        defer { session.close() }
        if lines != .events {
            session.lineEncoder = LineEncoder(format: .native, timeline: nil, database: "")
            if lines != .shared { session.snapshot?.reader.encodeAhead = lines == .copyingThreads ? 0 : .max }
        }
        var buffer = JSONBuffer()
        var encoder = JSONLinesEncoder()
        var chunks = 0
        let deadline = ContinuousClock.now + .seconds(120)
        loop: while ContinuousClock.now < deadline {
            switch try session.next(wait: true) {
            case let .event(event):
                if case .read = event { #expect(lines == .events, "a row as an event") }
                encoder.encode(event, into: &buffer)
                if case .snapshotCompleted = event { session.snapshotDurable() }
            case let .lines(rows):
                // Each descriptor ends its own line of the chunk and describes a row of its table.
                let start = buffer.bytes.count
                buffer.bytes += rows.bytes
                #expect(rows.lines.count == rows.rows)
                var previous = 0
                for line in rows.lines {
                    #expect(line.end > previous && rows.bytes[line.end - 1] == UInt8(ascii: "\n") && line.kind == .read)
                    if case let .table(relation) = line.target { #expect(relation === rows.relation) } else { Issue.record("no table") }
                    previous = line.end
                }
                #expect(previous == rows.bytes.count && buffer.bytes.count == start + previous)
                chunks += 1
            case .idle: continue
            case .end: break loop
            }
        }
        #expect((chunks > 0) == (lines != .events))
        let lines = StreamFixture.lines(buffer.bytes)
        let objects = try lines.map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        return CapturedStream(lines: lines, objects: objects)
    }

    @Test(arguments: [false, true])
    func everyTypeReadsInTheSnapshotAsTheStreamWritesIt(postgres18: Bool) throws {
        for (setup, rows) in [(BinaryValueTests.setup, BinaryValueTests.rows), (BinaryValueTests.moreSetup, BinaryValueTests.moreRows)] {
            let fixture = try StreamFixture.make(setup: setup, postgres18: postgres18)
            let streamed = try Self.rows(fixture.capture([rows]) { $0.binaryValues = false })
            #expect(streamed.count >= 3)
            for binary in [nil, false] as [Bool?] {
                let read = try Self.rows(Self.snapshot(fixture, binary: binary, name: binary == nil ? "bin" : "text"))
                #expect(read.keys.sorted() == streamed.keys.sorted())
                for (id, row) in streamed.sorted(by: { $0.key < $1.key }) {
                    #expect(read[id] == row, "row \(id), \(binary == nil ? "binary" : "text") COPY")
                }
            }
        }
    }

    @Test func columnsWithoutABinaryFormReadAsTheirOutputFunctionWritesThem() throws {
        let fixture = try StreamFixture.make(setup: Self.textOnlySetup + "CREATE PUBLICATION pub FOR TABLE doc;")
        let binary = try Self.rows(Self.snapshot(fixture, binary: nil, name: "bin"))
        let text = try Self.rows(Self.snapshot(fixture, binary: false, name: "text"))
        #expect(binary.count == 3)
        #expect(binary == text)
        #expect(binary["1"] == #"{"id":1,"owner":"doc","kind":"integer","acl":["postgres=arwd/postgres"],"note":"tab\there"}"#)
        #expect(binary["2"] == #"{"id":2,"owner":null,"kind":null,"acl":null,"note":null}"#)
    }

    /// A snapshot line without its LSNs (each snapshot has a slot, and a consistent point, of its own).
    static func withoutLSNs(_ line: String) -> String {
        line.replacing(/"(commit_)?lsn":"[0-9A-F]+\/[0-9A-F]+"/, with: "")
    }

    /// Rows written as lines by the copying threads or by the consumer are the bytes their events
    /// give, numbered in the order they are handed out.
    @Test func rowsWrittenAsLinesOnAnyThreadAreTheLinesOfTheirEvents() throws {
        let fixture = try StreamFixture.make(
            setup: BinaryValueTests.setup + BinaryValueTests.rows
                + "CREATE TABLE many (id int PRIMARY KEY, t text);"
                + "INSERT INTO many SELECT g, repeat('x', g % 50) FROM generate_series(1, 3000) g;"
                + "ALTER PUBLICATION pub ADD TABLE many;")
        let events = try Self.snapshot(fixture, binary: nil, name: "events").lines.map(Self.withoutLSNs)
        #expect(events.count > 3000)
        for lines in [Lines.copyingThreads, .consumer, .shared] {
            let written = try Self.snapshot(fixture, binary: nil, lines: lines, name: "\(lines)".lowercased()).lines.map(Self.withoutLSNs)
            #expect(written == events, "\(lines)")
        }
    }

    @Test(arguments: [false, true])
    func aTableSplitAcrossJobsIsReadOnceRowByRow(postgres18: Bool) throws {
        // 40,000 rows of about 1 KB: about 5,000 pages, four ranges of its pages for three jobs.
        let fixture = try StreamFixture.make(
            setup: """
                CREATE TABLE wide (id int PRIMARY KEY, pad text);
                INSERT INTO wide SELECT g, lpad(g::text, 960, 'x') FROM generate_series(1, 40000) g;
                CREATE TABLE other (id int PRIMARY KEY);
                INSERT INTO other SELECT generate_series(1, 10);
                CREATE PUBLICATION pub FOR TABLE wide, other;
                """, postgres18: postgres18)
        let pages = try fixture.server.psql("SELECT pg_relation_size('wide') / 8192", database: fixture.database)
        #expect((Int(pages) ?? 0) >= 4 * SnapshotPiece.minimumPages)
        // Postgres 18 has the rows written as lines, shared by the copying threads and the consumer.
        let snapshot = try Self.snapshot(fixture, binary: nil, jobs: 3, lines: postgres18 ? .shared : .events, name: "jobs")
        #expect(snapshot.objects.compactMap { $0["seq"] as? Int } == Array(0..<40010))
        var ids: [Int] = []
        for object in snapshot.objects where object["table"] as? String == "wide" {
            let new = try #require(object["new"] as? [String: Any])
            let id = try #require(new["id"] as? Int)
            ids.append(id)
            let digits = String(id)
            #expect(new["pad"] as? String == String(repeating: "x", count: 960 - digits.count) + digits)
        }
        #expect(ids.count == 40000)
        #expect(Set(ids).count == 40000 && ids.min() == 1 && ids.max() == 40000)
        #expect(snapshot.objects.filter { $0["table"] as? String == "other" }.count == 10)
        #expect(snapshot.objects.last?["op"] as? String == "snapshot")
    }
}
