import Testing
@testable import PostgresCDC

/// Blocking work called from async code runs off the cooperative pool.
@Suite struct BlockingIOTests {
    @Test func workRunsOnAThreadOfItsOwn() async throws {
        #expect(!BlockingIO.isCurrent)
        #expect(try await BlockingIO.run { BlockingIO.isCurrent })
    }
}
