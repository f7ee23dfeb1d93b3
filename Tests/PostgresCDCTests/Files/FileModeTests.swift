import Foundation
import Testing
@testable import PostgresCDC

/// The modes a user may ask for, and the exact mode files get whatever the umask.
@Suite struct FileModeTests {
    @Test func modesFromOwnerOnlyToGroupWritableAndOthersReadableAreAccepted() {
        #expect(FileMode.ownerReadWrite.bits == 0o600)
        #expect(FileMode(octal: "0640")?.bits == 0o640)
        #expect(FileMode(octal: "640")?.bits == 0o640)
        #expect(FileMode(octal: "0o660")?.bits == 0o660)
        #expect(FileMode(octal: "0664")?.bits == 0o664)
        #expect(FileMode(bits: 0o640)?.description == "0640")
    }

    @Test func modesThatLetOthersWriteExecuteOrLockOutTheOwnerAreRefused() {
        for text in ["0666", "0602", "0700", "0755", "0400", "0200", "1600", "4600", "0", "", "abc", "0o", "0800", "00600600"] {
            #expect(FileMode(octal: text) == nil, "\(text)")
        }
    }

    @Test func aCreatedFileHasExactlyTheModeWhateverTheUmask() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        // Under the usual umask 022, 0660 would become 0640 without the fchmod.
        for bits: UInt16 in [0o600, 0o660, 0o664] {
            let path = directory.file("f\(bits)")
            let mode = try #require(FileMode(bits: bits))
            guard case let .success(descriptor) = FileIO.create(path, flags: O_WRONLY, mode: mode) else {
                Issue.record("cannot create \(path)")
                continue
            }
            close(descriptor)
            #expect(permissions(path) == bits)
        }
    }

    @Test func openOrCreateLeavesTheModeOfAnExistingFileAlone() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        try directory.write("existing", "x")
        chmod(directory.file("existing"), 0o644)
        guard case let .success(descriptor) = FileIO.openOrCreate(directory.file("existing"), flags: O_RDWR, mode: .ownerReadWrite) else {
            Issue.record("cannot open")
            return
        }
        close(descriptor)
        #expect(permissions(directory.file("existing")) == 0o644)
    }

    @Test func aCreatedDirectoryIsOwnerOnly() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        #expect(FileIO.makeDirectory(directory.file("d")) == 0)
        #expect(permissions(directory.file("d")) == 0o700)
        #expect(FileIO.makeDirectory(directory.file("d")) == EEXIST)
    }
}

/// The permission bits of the file at `path` (`0` when it cannot be read).
func permissions(_ path: String) -> UInt16 {
    var info = stat()
    guard stat(path, &info) == 0 else { return 0 }
    return UInt16(info.st_mode & 0o7777)
}
