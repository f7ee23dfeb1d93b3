/// What the owner of a ``ThreadHandoff`` keeps under the handoff's one lock, beside its state: the
/// positions, counters or schedule that must change together with what is buffered.
protocol HandoffLedger: Sendable {
    /// What the handoff hands out.
    associatedtype Element
    /// The consumer receives `element` (called under the lock, before the consumer has it).
    mutating func handedOut(_ element: Element)
}
