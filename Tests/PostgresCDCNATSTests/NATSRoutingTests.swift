import PGOutput
import PostgresCDC
import Testing
@testable import PostgresCDCNATS

/// Routing by line descriptors, in both formats (no server).
@Suite struct NATSRoutingTests {
    static let template = SubjectTemplate("pgcdc.{schema}.{table}")!  // trap-ok: a constant valid template

    static func routes(_ descriptors: [LineDescriptor]) -> [EventRoute] {
        let cache = SubjectCache(template: template)
        return descriptors.map { EventRoute($0, subjects: cache) }
    }

    /// Every (subject, id) pair the lines are published as, in order.
    static func messages(_ descriptors: [LineDescriptor]) -> [String] {
        let cache = SubjectCache(template: template)
        var ids = MessageID()
        var result: [String] = []
        for descriptor in descriptors {
            cache.forEachMessage(of: descriptor, ids: &ids) { subject, id in result.append(subject + " " + String(cString: id)) }
        }
        return result
    }

    @Test func aDebeziumTruncateLinePerTableGetsTheIDsOfTheNativeLine() throws {
        let a = SubjectTemplateTests.relation("s", "a")
        let b = SubjectTemplateTests.relation("s", "b")
        let native = LineDescriptor(end: 1, kind: .truncate, target: .tables([a, b]), commitLSN: LSN(0x2B), seq: 4)
        let debezium = [
            LineDescriptor(end: 1, kind: .truncate, target: .table(a), commitLSN: LSN(0x2B), seq: 4, part: 0),
            LineDescriptor(end: 2, kind: .truncate, target: .table(b), commitLSN: LSN(0x2B), seq: 4, part: 1),
        ]
        #expect(Self.messages([native]) == ["pgcdc.s.a 0/2B:4", "pgcdc.s.b 0/2B:4:1"])
        #expect(Self.messages(debezium) == Self.messages([native]))
    }

    @Test func idsAreTheLSNsTextFormThenSeqOrTheLinesRole() {
        let lsn = LSN(0x0000_00AB_0000_0C00)
        var ids = MessageID()
        ids.set(LineDescriptor(end: 1, kind: .update, commitLSN: lsn, seq: 1234), part: 0)
        #expect(ids.text == "\(lsn):1234")
        #expect(ids.text == "AB/C00:1234")
        ids.set(LineDescriptor(end: 1, kind: .begin, commitLSN: .zero), part: 0)
        #expect(ids.text == "0/0:begin")
        ids.set(LineDescriptor(end: 1, kind: .snapshot, commitLSN: LSN(UInt64.max)), part: 0)
        #expect(ids.text == "FFFFFFFF/FFFFFFFF:snapshot")
        ids.set(LineDescriptor(end: 1, kind: .truncate, commitLSN: LSN(0x10), seq: 0), part: 12)
        #expect(ids.text == "0/10:0:12")
    }

    @Test func theSnapshotsEndGoesToTheTransactionsSubject() {
        let end = LineDescriptor(end: 1, kind: .snapshot, commitLSN: LSN(0x100), position: LSN(0x100))
        #expect(Self.routes([end]) == [EventRoute(subjects: ["pgcdc._transactions"], messageID: "0/100:snapshot")])
    }

    @Test func aBatchWithoutLineDescriptorsIsRefusedNotParsed() {
        let sink = NATSSink(configuration: NATSSink.Configuration(servers: ["nats://127.0.0.1:1"], stream: "CDC"))
        let line = #"{"op":"insert","schema":"public","table":"t","commit_lsn":"0/1A","seq":3}"# + "\n"
        let error = #expect(throws: SinkError.self) {
            try sink.write(SinkBatch(lines: Array(line.utf8)[...], position: LSN(0x1B), endsAtTransactionBoundary: true))
        }
        #expect(error?.description.contains("no line descriptors") == true, "\(String(describing: error))")
    }
}
