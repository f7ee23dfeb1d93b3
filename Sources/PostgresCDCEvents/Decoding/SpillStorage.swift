import PostgresCDCBase
/// Where the entries of an undecided transaction go when they leave memory: a streamed
/// transaction past the memory bound, or a prepared transaction being received. The
/// ``TransactionSpool`` decides when to spill; an implementation does the I/O.
///
/// Called per spill and per replayed chunk (up to 1 MiB), never per message: the existential
/// costs nothing on the hot path. ``FileSpillStorage`` is what pgcdc uses;
/// ``MemorySpillStorage`` keeps everything in memory and counts the spills, for tests.
package protocol SpillStorage: AnyObject {
    /// Where the storage keeps its files (a directory), for error messages.
    var location: String { get }
    /// A new, empty scratch file for entries of the transaction `xid`; it is gone once closed,
    /// whatever way the process ends.
    func makeSpillFile(xid: UInt32) throws(ReplicationError) -> any SpillFile
}

/// One file of spooled entries, written and read at offsets.
package protocol SpillFile: AnyObject {
    /// Writes `bytes` at `offset`; `offset` is at most the file's length (files grow at their end).
    func write(_ bytes: ArraySlice<UInt8>, at offset: Int) throws(ReplicationError)
    /// Appends to `buffer` the `count` bytes at `offset`.
    func read(into buffer: inout [UInt8], count: Int, at offset: Int) throws(ReplicationError)
    /// Cuts the file to its first `length` bytes.
    func truncate(to length: Int) throws(ReplicationError)
    /// Releases the file (a scratch file disappears). Safe to call more than once.
    func close()
}
