import Testing
@testable import PostgresCDCNATS

/// Subjects and routes, from hand-written lines (no server).
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
        func route(_ line: String) -> EventRoute? { EventRoute.route(Array(line.utf8)[...], subjects: cache) }
        #expect(route(#"{"op":"insert","schema":"public","table":"t","commit_lsn":"0/1A","seq":3,"lsn":"0/10","new":{"id":1}}"#)
                == EventRoute(subjects: ["pgcdc.public.t"], messageID: "0/1A:3"))
        // An escaped name takes the JSON path and gets the same treatment.
        #expect(route(#"{"op":"delete","schema":"public","table":"q\"t","commit_lsn":"0/1A","seq":4,"lsn":"0/10","old":{"id":1}}"#)
                == EventRoute(subjects: ["pgcdc.public.q\"t"], messageID: "0/1A:4"))
        #expect(route(#"{"op":"truncate","commit_lsn":"0/2B","seq":0,"lsn":"0/20","tables":[{"schema":"s","table":"a"},{"schema":"s","table":"b"}],"cascade":false,"restart_identity":false}"#)
                == EventRoute(subjects: ["pgcdc.s.a", "pgcdc.s.b"], messageID: "0/2B:0"))
        #expect(route(#"{"op":"message","commit_lsn":"0/30","seq":0,"lsn":"0/30","transactional":false,"prefix":"hb","content":"x"}"#)
                == EventRoute(subjects: ["pgcdc._messages.hb"], messageID: "0/30:0"))
        #expect(route(#"{"op":"commit","commit_lsn":"0/1A","end_lsn":"0/1B","xid":5,"commit_time":"2026-11-25T00:00:00.000000Z","events":4}"#)
                == EventRoute(subjects: ["pgcdc._transactions"], messageID: "0/1A:commit"))
        #expect(route("not json") == nil)
    }
}
