import Foundation
import Testing
@testable import PostgresCDC

/// The code of the TypedRows article (PostgresCDC.docc/TypedRows.md), verbatim, run on a streamed row.
@Suite struct TypedRowsDocumentationTests {
    struct Order: Decodable {
        var id: Int64
        var customerId: Int
        var total: Decimal
        var placedAt: Date
        var note: String?
    }

    func order(in change: RowChange) throws -> Order? {
        try change.resolved?.decode(Order.self, keys: .convertFromSnakeCase)
    }

    func parameters(of row: Row) throws -> [String?] {
        try row.relation.columns.indices.map { try row.value(at: $0).parameterText }
    }

    @Test func theArticlesCodeDecodesAStreamedRowAndGivesItsParameters() throws {
        let fixture = try StreamFixture.make(
            setup: """
                CREATE TABLE orders (id bigint PRIMARY KEY, customer_id int, total numeric, placed_at timestamptz, note text);
                CREATE PUBLICATION pub FOR TABLE orders;
                """)
        let changes = try fixture.rowChanges(
            ["INSERT INTO orders VALUES (7, 42, 19.90, '2026-11-26 12:34:56.5+00', NULL)"], binaryValues: true)
        let change = try #require(changes.first)
        let decoded = try #require(try order(in: change))
        #expect(decoded.id == 7 && decoded.customerId == 42 && decoded.total.description == "19.9" && decoded.note == nil)
        #expect(decoded.placedAt == Date(timeIntervalSince1970: 1_795_696_496.5))
        #expect(try parameters(of: try #require(change.new)) == ["7", "42", "19.90", "2026-11-26 12:34:56.5+00", nil])
    }
}
