// The smallest consumer: print every change of a publication, acknowledge each transaction.
//
//   swift run PrintEvents 'host=localhost dbname=app user=cdc' my_slot my_publication
//
// Creates the slot if it does not exist. Stop it with Ctrl-C; it resumes where it was acknowledged.
import Foundation
import PostgresCDC

let arguments = CommandLine.arguments
guard arguments.count == 4 else {
    print("usage: PrintEvents DSN SLOT PUBLICATION")
    exit(2)
}
var configuration = StreamConfiguration(dsn: arguments[1], slot: arguments[2], publication: arguments[3])
configuration.createSlot = true

let stream = ChangeStream(configuration: configuration)
do {
    for try await event in stream {
        switch event {
        case let .insert(change), let .update(change), let .delete(change), let .read(change):
            let table = "\(change.relation.schema).\(change.relation.table)"
            let row = change.new ?? change.old
            let key = change.relation.keyColumnNames.map { "\($0)=\(row?[column: $0].map { "\($0)" } ?? "?")" }
            print("\(change.operation) \(table) \(key.joined(separator: " "))")
        case let .truncate(change):
            print("truncate \(change.relations.map { "\($0.schema).\($0.table)" }.joined(separator: ", "))")
        case let .message(message):
            print("message \(message.prefix): \(message.content.count) bytes")
        case let .commit(commit):
            print("commit \(commit.transaction.commitLSN) (\(commit.eventCount) events)")
            try await stream.acknowledge(commit)
        case let .snapshotCompleted(summary):
            print("snapshot: \(summary.rows) rows of \(summary.tables) tables as of \(summary.consistentPoint)")
            try await stream.acknowledge(through: summary.consistentPoint)
        case let .schema(change):
            print("schema of \(change.new.schema).\(change.new.table) changed: \(change.new.columns.map(\.name))")
        case let .backfill(backfill):
            print("backfill \(backfill.id) of \(backfill.table) \(backfill.kind) (\(backfill.rows) rows)")
        case let .ddl(command):
            print("ddl \(command.commandTag) \(command.objectIdentity)")
        case let .gap(gap):
            print("gap: changes since \(gap.lostFrom) lost (\(gap.reason)); reading \(gap.tables.count) tables again by \(gap.recovery)")
        case .begin:
            break
        }
    }
} catch {
    print("error: \(error)")
    exit(1)
}
