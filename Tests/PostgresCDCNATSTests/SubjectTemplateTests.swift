import PGOutput
import PostgresCDC
import Testing
@testable import PostgresCDCNATS

/// Subjects and routes, from hand-written line descriptors (no server).
@Suite struct SubjectTemplateTests {
    @Test func namesBecomeSingleTokens() throws {
        let template = try #require(SubjectTemplate("cdc.{schema}.{table}"))
        #expect(template.table(schema: "public", table: "orders") == "cdc.public.orders")
        #expect(template.table(schema: "my schema", table: "a.b*c>") == "cdc.my_schema.a_b_c_")
        #expect(template.table(schema: "", table: "t") == "cdc._.t")
        #expect(template.message(prefix: "audit.log") == "cdc._messages.audit_log")
        #expect(template.transactions == "cdc._transactions")
        #expect(template.streamSubject == "cdc.>")
        #expect(template.wildcards == ["cdc.*.*", "cdc._messages.*", "cdc._transactions"])
    }

    @Test func templatesWithWildcardsOrWithoutALiteralRootAreRefused() {
        #expect(SubjectTemplate("cdc.*.{table}") == nil)
        #expect(SubjectTemplate("{schema}.{table}") == nil)
        #expect(SubjectTemplate("cdc.{schema}") == nil)
        #expect(SubjectTemplate("cdc..{table}") == nil)
    }

    @Test func coverageFollowsNATSWildcards() {
        #expect(SubjectTemplate.covers("pgcdc.>", "pgcdc.*.*"))
        #expect(SubjectTemplate.covers("pgcdc.*.*", "pgcdc.*.*"))
        #expect(SubjectTemplate.covers("pgcdc.*.*", "pgcdc._messages.*"))
        #expect(!SubjectTemplate.covers("pgcdc.public.*", "pgcdc.*.*"))
        #expect(!SubjectTemplate.covers("pgcdc.*", "pgcdc.*.*"))
        #expect(!SubjectTemplate.covers("pgcdc.>", "pgcdc"))
        #expect(SubjectTemplate.covers(">", "pgcdc._transactions"))
    }

    @Test func linesAreRoutedByTheirOwnFields() throws {
        let cache = SubjectCache(template: try #require(SubjectTemplate("pgcdc.{schema}.{table}")))
        func route(_ line: LineDescriptor) -> EventRoute { EventRoute(line, subjects: cache) }
        let t = Self.relation("public", "t")
        #expect(
            route(LineDescriptor(end: 1, kind: .insert, target: .table(t), commitLSN: LSN(0x1A), seq: 3))
                == EventRoute(subjects: ["pgcdc.public.t"], messageID: "0/1A:3"))
        // A name that JSON escapes gets the same treatment.
        #expect(
            route(LineDescriptor(end: 1, kind: .delete, target: .table(Self.relation("public", "q\"t")), commitLSN: LSN(0x1A), seq: 4))
                == EventRoute(subjects: ["pgcdc.public.q\"t"], messageID: "0/1A:4"))
        let tables = [Self.relation("s", "a"), Self.relation("s", "b")]
        #expect(
            route(LineDescriptor(end: 1, kind: .truncate, target: .tables(tables), commitLSN: LSN(0x2B), seq: 0))
                == EventRoute(subjects: ["pgcdc.s.a", "pgcdc.s.b"], messageID: "0/2B:0"))
        let message = LineDescriptor(
            end: 1, kind: .message, target: .messagePrefix("hb"), commitLSN: LSN(0x30), seq: 0,
            position: LSN(0x30))
        #expect(
            route(message)
                == EventRoute(subjects: ["pgcdc._messages.hb"], messageID: "0/30:0"))
        #expect(
            route(LineDescriptor(end: 1, kind: .commit, commitLSN: LSN(0x1A), position: LSN(0x1B)))
                == EventRoute(subjects: ["pgcdc._transactions"], messageID: "0/1A:commit"))
    }

    static func relation(_ schema: String, _ table: String) -> Relation {
        let columns = [RelationMessage.Column(isKey: true, name: "id", typeOID: 23, typeModifier: -1)]
        let message = RelationMessage(xid: nil, oid: 1, namespace: schema, name: table, replicaIdentity: .default, columns: columns)
        return Relation(message: message, catalog: TypeCatalog())
    }
}

/// Where one line goes: its subjects and the message id of the first (the later subjects of a
/// truncate get `:1`, `:2`, … after it).
struct EventRoute: Equatable {
    var subjects: [String]
    var messageID: String

    init(subjects: [String], messageID: String) {
        self.subjects = subjects
        self.messageID = messageID
    }

    /// The route the sink publishes `line` on.
    init(_ line: LineDescriptor, subjects cache: SubjectCache) {
        var ids = MessageID()
        var subjects: [String] = []
        var first: String?
        cache.forEachMessage(of: line, ids: &ids) { subject, id in
            subjects.append(subject)
            if first == nil { first = String(cString: id) }
        }
        self.init(subjects: subjects, messageID: first ?? "")
    }
}
