/// What a consumer of a handoff receives (``HandoffState``, ``ThreadHandoff``).
enum HandoffDelivery<Element, Failure: Error> {
    /// The next element.
    case element(Element)
    /// Nothing is buffered and the producer said it has nothing more for now (asked for only).
    case idle
    /// The pull's deadline passed first.
    case timedOut
    /// The producer finished, or was stopped, or the consumer ended its iteration.
    case end
    /// The producer failed; the elements it pushed before were handed out first.
    case failed(Failure)
    /// The owner closed the handoff (``HandoffState/endConsuming(closing:)``).
    case closed
}

extension HandoffDelivery: Sendable where Element: Sendable {}
