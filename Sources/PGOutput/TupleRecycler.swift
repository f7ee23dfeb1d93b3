/// The column arrays of the last tuples decoded, for the next tuples to reuse: once the events
/// made of those tuples are gone (the array is no longer shared), decoding fills it again in place
/// instead of allocating one array per tuple. While something still holds a tuple, its array is left
/// to it and the next tuple gets a new one (value semantics, copy on write): reuse changes no result.
///
/// One per stream of messages decoded one after another (``LogicalMessage/decode(_:streamedTransaction:abortHasPosition:recycling:)``).
public struct TupleRecycler: Sendable {
    /// For a message's new tuple (or its only one).
    var first: [TupleData.Column] = []
    /// For an update's old tuple.
    var second: [TupleData.Column] = []

    /// A recycler with nothing to reuse yet.
    public init() {}
}
