import Foundation
import Testing
@testable import PostgresCDC

/// What decoding a streamed row into a type that does not fit it throws: a `DecodingError` of the
/// right kind whose description names the column and the table.
@Suite struct RowDecoderErrorTests {
    static let setup = """
        CREATE TABLE docs (id int PRIMARY KEY, title text, body text, price numeric, score float8);
        CREATE PUBLICATION pub FOR TABLE docs;
        """

    /// `body` is 6,400 random hex characters: incompressible, so stored out of line (TOAST), and not
    /// sent with an update that does not change it.
    static let workload = [
        """
        INSERT INTO docs VALUES (1, NULL, (SELECT string_agg(md5(random()::text), '') FROM generate_series(1, 200)), 'NaN', 2.5);
        UPDATE docs SET id = 2 WHERE id = 1;
        """
    ]

    struct Titled: Decodable { var id: Int; var title: String }
    struct Scored: Decodable { var id: Int; var score: Int }
    struct Authored: Decodable { var id: Int; var author: String? }
    struct Priced: Decodable { var price: Decimal }
    struct WithBody: Decodable { var id: Int; var body: String? }
    struct CamelMissing: Decodable { var authorName: String }

    /// The error `body` throws, with its description (which holds the debug description).
    static func decodingError(_ body: () throws -> Void) -> (error: DecodingError?, text: String) {
        do {
            try body()
            return (nil, "no error")
        } catch let error as DecodingError {
            return (error, "\(error)")
        } catch {
            return (nil, "not a DecodingError: \(error)")
        }
    }

    @Test(arguments: [false, true])
    func eachMisfitThrowsADecodingErrorNamingTheColumn(binaryValues: Bool) throws {
        let fixture = try StreamFixture.make(setup: Self.setup)
        let changes = try fixture.rowChanges(Self.workload, binaryValues: binaryValues)
        try #require(changes.count == 2)
        let inserted = try #require(changes[0].new)

        let null = Self.decodingError { _ = try inserted.decode(Titled.self) }
        guard case .valueNotFound? = null.error else { Issue.record("NULL: \(null.text)"); return }
        #expect(null.text.contains(#"column "title" of public.docs is NULL"#), "\(null.text)")

        let wrongType = Self.decodingError { _ = try inserted.decode(Scored.self) }
        guard case .typeMismatch? = wrongType.error else { Issue.record("wrong type: \(wrongType.text)"); return }
        #expect(wrongType.text.contains(#"column "score" of public.docs"#), "\(wrongType.text)")

        let missing = Self.decodingError { _ = try inserted.decode(Authored.self) }
        #expect(missing.error == nil, "an Optional property without a column reads nil: \(missing.text)")
        let required = Self.decodingError { _ = try inserted.decode(CamelMissing.self, keys: .convertFromSnakeCase) }
        guard case .keyNotFound? = required.error else { Issue.record("missing: \(required.text)"); return }
        #expect(required.text.contains(#"public.docs has no column "author_name""#), "\(required.text)")

        let notANumber = Self.decodingError { _ = try inserted.decode(Priced.self) }
        guard case .typeMismatch? = notANumber.error else { Issue.record("NaN: \(notANumber.text)"); return }
        #expect(notANumber.text.contains(#"column "price" of public.docs"#), "\(notANumber.text)")
        #expect(notANumber.text.contains("not a finite number"), "\(notANumber.text)")

        // The key changed under the default replica identity: body was not sent, and the old key does not hold it.
        let moved = try #require(changes[1].new)
        for decode in [{ _ = try moved.decode(WithBody.self) }, { _ = try changes[1].resolved?.decode(WithBody.self) }] {
            let toast = Self.decodingError(decode)
            guard case .valueNotFound? = toast.error else { Issue.record("unchanged TOAST: \(toast.text)"); continue }
            #expect(toast.text.contains(#"column "body" of public.docs was not sent"#), "\(toast.text)")
        }
        #expect(Self.decodingError { _ = try moved.decode(WithBody.self) }.text.contains("RowChange.resolved"))
    }
}
