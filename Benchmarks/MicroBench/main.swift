#if canImport(Glibc)
import Glibc
#endif
import PGOutput
import PostgresCDC

// The decoder and the JSON encoder on recorded pgoutput streams (Benchmarks/streams/*.pgo, written by
// the StreamRecorder test), without a server: XLogData payload → ChangeAssembler.decode → JSONLinesEncoder,
// as the session's hot path does. Prints events per second and nanoseconds per event per file.
//
//   swift run -c release PGCDCMicroBench [--iterations N] [--output FILE] FILE...
//
// --output writes the JSON lines of the first iteration of every stream to FILE (to check that a change
// to the hot path leaves the output byte for byte as it was).
//
// Benchmarks/micro.sh runs it under callgrind too, for instructions per event (repeatable on a noisy machine).

/// `[UInt32 length][message]` records.
func loadRecords(_ path: String) -> [ArraySlice<UInt8>]? {
    guard let file = fopen(path, "rb") else { return nil }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let count = fread(&chunk, 1, chunk.count, file)
        if count <= 0 { break }
        bytes.append(contentsOf: chunk[0..<count])
    }
    var records: [ArraySlice<UInt8>] = []
    var index = 0
    while index + 4 <= bytes.count {
        let length = Int(bytes[index]) << 24 | Int(bytes[index + 1]) << 16 | Int(bytes[index + 2]) << 8 | Int(bytes[index + 3])
        index += 4
        guard index + length <= bytes.count else { return nil }
        records.append(bytes[index..<(index + length)])
        index += length
    }
    return records
}

func now() -> Double {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
}

var arguments = Array(CommandLine.arguments.dropFirst())
var iterations = 20
if let flag = arguments.firstIndex(of: "--iterations"), flag + 1 < arguments.count, let value = Int(arguments[flag + 1]) {
    iterations = value
    arguments.removeSubrange(flag...(flag + 1))
}
var output: UnsafeMutablePointer<FILE>?
if let flag = arguments.firstIndex(of: "--output"), flag + 1 < arguments.count {
    output = fopen(arguments[flag + 1], "wb")
    arguments.removeSubrange(flag...(flag + 1))
}
if arguments.isEmpty {
    print("usage: PGCDCMicroBench [--iterations N] [--output FILE] FILE.pgo...")
    exit(2)
}
for path in arguments {
    guard let records = loadRecords(path) else {
        print("\(path): not a readable stream of [UInt32 length][message] records")
        exit(1)
    }
    var encoder = JSONLinesEncoder()
    var buffer = JSONBuffer()
    var events = 0
    var bytesOut = 0
    var failures = 0
    let start = now()
    for iteration in 0..<iterations {
        var assembler = ChangeAssembler(catalog: TypeCatalog())
        for record in records {
            do {
                // The session's entry, with a type loader that has nothing to load.
                let output = try assembler.decode(record, at: LSN(1)) { (_: inout TypeCatalog) throws(ReplicationError) in }
                if case let .event(event) = output {
                    encoder.encode(event, into: &buffer)
                    events += 1
                }
            } catch {
                failures += 1
            }
            if buffer.bytes.count > 1 << 18 {
                if iteration == 0, let output { fwrite(buffer.bytes, 1, buffer.bytes.count, output) }
                bytesOut += buffer.bytes.count
                buffer.bytes.removeAll(keepingCapacity: true)
            }
        }
        if iteration == 0, let output {
            fwrite(buffer.bytes, 1, buffer.bytes.count, output)
            bytesOut += buffer.bytes.count
            buffer.bytes.removeAll(keepingCapacity: true)
        }
    }
    bytesOut += buffer.bytes.count
    let seconds = now() - start
    let perEvent = events > 0 ? seconds / Double(events) * 1e9 : 0
    let rate = "\(Int(Double(events) / seconds)) events/s, \(String(format: "%.0f", perEvent)) ns/event"
    let failed = failures > 0 ? ", \(failures) failures" : ""
    let run = "\(events / max(iterations, 1)) events × \(iterations) in \(String(format: "%.3f", seconds)) s"
    print("\(path): \(run): \(rate), \(bytesOut / max(events, 1)) bytes/event\(failed)")
}
if let output { fclose(output) }
