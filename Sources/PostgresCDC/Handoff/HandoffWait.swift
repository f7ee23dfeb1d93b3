/// What a thread waiting on a ``ThreadHandoff`` decided (``ThreadHandoff/wait(for:)``).
enum HandoffWait<Value> {
    /// Go on with this.
    case ready(Value)
    /// Wait until woken, or until this time (monotonic nanoseconds), then decide again.
    case wait(until: UInt64?)
}
