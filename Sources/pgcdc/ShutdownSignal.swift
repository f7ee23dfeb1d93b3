#if canImport(Glibc)
import Glibc
#endif
import PostgresCDC
import Synchronization

/// SIGINT and SIGTERM handling for `pgcdc stream`: the first signal asks for a clean stop (the
/// stream finishes, the sink is flushed, the checkpoint written, the server told); the second
/// exits at once. Exiting at once never loses anything: the checkpoint and the server's flush
/// position only ever trail what the sink has durably taken.
enum ShutdownSignal {
    /// How many stop signals arrived.
    private static let received = Atomic<Int>(0)
    /// The pipe's write end, written by the handler. Set once in `install()` before the handlers
    /// exist and only read afterwards, so the handler never races a write to it.
    nonisolated(unsafe) private static var wakeWriter: Int32 = -1
    /// The pipe's read end: readable once a stop was requested, so a wait for the server ends.
    nonisolated(unsafe) private(set) static var wakeDescriptor: Int32 = -1

    /// Installs the handlers; returns the descriptor that becomes readable on a stop request.
    static func install() -> Int32 {
        _ = received.load(ordering: .relaxed)
        if let pipe = FileIO.makeWakePipe() {
            wakeDescriptor = pipe.reader
            wakeWriter = pipe.writer
        }
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in
            // Only async-signal-safe work here: an atomic add, write(2), _exit(2).
            if ShutdownSignal.received.add(1, ordering: .sequentiallyConsistent).newValue > 1 {
                _exit(130)
            }
            var byte: UInt8 = 1
            _ = write(ShutdownSignal.wakeWriter, &byte, 1)
        }
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        sigaction(SIGINT, &action, nil)
        sigaction(SIGTERM, &action, nil)
        // A parent may have spawned us with these signals blocked (the mask is inherited); a
        // blocked SIGTERM would never reach the handler.
        var unblock = sigset_t()
        sigemptyset(&unblock)
        sigaddset(&unblock, SIGINT)
        sigaddset(&unblock, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
        return wakeDescriptor
    }

    /// Whether a stop was requested.
    static var isRequested: Bool { received.load(ordering: .relaxed) > 0 }
}
