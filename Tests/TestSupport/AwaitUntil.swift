/// Whether `condition` holds within `turns` checks, `interval` apart.
///
/// The limit counts the waiting task's own turns, not the wall clock: in the full suite the
/// synchronous tests hold the cooperative pool's threads and an async test can get none for
/// minutes, which a wall-clock deadline counted against it (the documented examples' 600 s
/// deadlines ran out while their streams had never been scheduled). A hang still ends, at the
/// limit of the whole run.
package func awaitUntil(
    turns: Int = 3000, every interval: Duration = .milliseconds(100), _ condition: () async throws -> Bool
) async throws -> Bool {
    for _ in 0..<turns {
        if try await condition() { return true }
        try await Task.sleep(for: interval)
    }
    return try await condition()
}
