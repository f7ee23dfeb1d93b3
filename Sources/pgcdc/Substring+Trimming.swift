extension Substring {
    /// The text without leading and trailing whitespace (`a, b` split at commas gives ` b`).
    func trimmingWhitespace() -> Substring {
        var text = self
        while let first = text.first, first.isWhitespace { text.removeFirst() }
        while let last = text.last, last.isWhitespace { text.removeLast() }
        return text
    }
}
