// A custom sink: every transaction-complete batch becomes its own file in a directory, named after
// the position it reaches (`0000000001A2B3C4.jsonl`), written atomically (temporary file, fsync,
// rename). The directory is its own checkpoint: on start, the highest segment name says where to
// resume, so a restart writes nothing twice.
//
//   swift run SegmentSink DSN SLOT PUBLICATION DIRECTORY [END_LSN]
import Foundation
import PostgresCDC

final class SegmentSink: ChangeSink {
    let directory: URL
    /// Lines of a transaction too large for one batch, kept until its end arrives.
    private var pending: [UInt8] = []
    private var written: LSN = .zero

    init(directory: URL) {
        self.directory = directory
    }

    // Segments hold whole transactions, so no commit lines are needed to find boundaries.
    var needsCommitLines: Bool { false }

    // The directory is its own checkpoint: an empty one facing an existing slot is refused, not
    // silently continued (StreamConfiguration.onEmptyStore).
    var keepsOwnPosition: Bool { true }

    func open() throws(SinkError) -> LSN? {
        let names: [String]
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        } catch {
            throw SinkError(destination: directory.path, operation: "open", reason: "\(error)")
        }
        let positions = names.compactMap { name -> LSN? in
            guard name.hasSuffix(".jsonl"), let value = UInt64(name.dropLast(6), radix: 16) else { return nil }
            return LSN(value)
        }
        written = positions.max() ?? .zero
        return positions.max()
    }

    func write(_ batch: SinkBatch) throws(SinkError) {
        pending.append(contentsOf: batch.lines)
        // A segment only ever holds whole transactions; a batch that ends mid-transaction waits.
        guard batch.endsAtTransactionBoundary, batch.position > written, !pending.isEmpty else { return }
        let hex = String(batch.position.value, radix: 16, uppercase: true)
        let name = String(repeating: "0", count: 16 - hex.count) + hex + ".jsonl"
        let temporary = directory.appendingPathComponent(name + ".tmp")
        do {
            try Data(pending).write(to: temporary)
            let handle = try FileHandle(forWritingTo: temporary)
            try handle.synchronize()
            try handle.close()
            guard rename(temporary.path, directory.appendingPathComponent(name).path) == 0 else {
                throw SinkError(destination: directory.path, operation: "rename segment \(name) in", errorNumber: errno)
            }
        } catch let error as SinkError {
            throw error
        } catch {
            throw SinkError(destination: directory.path, operation: "write segment \(name) in", reason: "\(error)")
        }
        pending.removeAll(keepingCapacity: true)
        written = batch.position
    }

    func flush(force: Bool) throws(SinkError) -> LSN {
        written  // every segment was synced as it was written
    }

    func close() throws(SinkError) {}
}

let arguments = CommandLine.arguments
guard arguments.count == 5 || arguments.count == 6 else {
    print("usage: SegmentSink DSN SLOT PUBLICATION DIRECTORY [END_LSN]")
    exit(2)
}
var configuration = StreamConfiguration(dsn: arguments[1], slot: arguments[2], publication: arguments[3])
configuration.createSlot = true
if arguments.count == 6 { configuration.endLSN = LSN(arguments[5]) }
do {
    let position = try SinkStream(configuration: configuration).run(into: SegmentSink(directory: URL(fileURLWithPath: arguments[4])))
    print("durable through \(position)")
} catch {
    print("error: \(error)")
    exit(1)
}
