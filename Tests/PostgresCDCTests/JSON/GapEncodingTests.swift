import Foundation
import PGOutput
import PostgresCDCTesting
import TestSupport
import Testing
@testable import PostgresCDC

/// A gap in both formats: the native `gap` line, and Debezium's message carrying the same fields;
/// each valid against its JSON Schema.
@Suite struct GapEncodingTests {
    static let gap = SlotGap(
        slot: "app_cdc", reason: "it was invalidated (idle_timeout)", lostFrom: LSN(0x1A2_B4F0), resumedAt: LSN(0x1D2_E3F0),
        recovery: .backfill, tables: ["public.orders", "public.items"],
        backfills: [SlotGap.backfillID(table: "public.orders", resumedAt: LSN(0x1D2_E3F0)), "gap-1D2E3F0-public.items"])

    @Test func theGapLineNamesTheLostRangeTheCauseAndTheBackfills() throws {
        var buffer = JSONBuffer()
        var encoder = JSONLinesEncoder(timeline: 2)
        encoder.encode(.gap(Self.gap), into: &buffer)
        let line = String(decoding: buffer.bytes, as: UTF8.self)
        #expect(
            line == #"{"op":"gap","commit_lsn":"0/1D2E3F0","seq":0,"lsn":"0/1D2E3F0","slot":"app_cdc","from_lsn":"0/1A2B4F0","#
                + #""to_lsn":"0/1D2E3F0","reason":"it was invalidated (idle_timeout)","recovery":"backfill","#
                + #""tables":["public.orders","public.items"],"backfills":["gap-1D2E3F0-public.orders","gap-1D2E3F0-public.items"],"#
                + #""timeline":2}"# + "\n")
        let validation = try CLIProcess.validate(line)
        #expect(validation.status == 0, "\(validation.stdout) \(validation.stderr)")
    }

    @Test func debeziumCarriesTheGapAsAMessage() throws {
        var buffer = JSONBuffer()
        var encoder = DebeziumEncoder(database: "app")
        encoder.encode(.gap(Self.gap), into: &buffer)
        let line = String(decoding: buffer.bytes, as: UTF8.self)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["op"] as? String == "m")
        let message = try #require(object["message"] as? [String: Any])
        #expect(message["prefix"] as? String == "pgcdc.gap")
        let content = try #require((message["content"] as? String).flatMap { Data(base64Encoded: $0) })
        let fields = try #require(try JSONSerialization.jsonObject(with: content) as? [String: Any])
        #expect(fields["from_lsn"] as? String == "0/1A2B4F0" && fields["recovery"] as? String == "backfill")
        let validation = try CLIProcess.validate(line, against: "debezium-event")
        #expect(validation.status == 0, "\(validation.stdout) \(validation.stderr)")
    }
}
