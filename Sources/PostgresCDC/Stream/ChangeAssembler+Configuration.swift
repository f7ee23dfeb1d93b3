#if canImport(Glibc)
import Glibc
#endif
import PGOutput

extension ChangeAssembler {
    /// An assembler for a stream as `configuration` asks: its end, filter and transaction events, a
    /// store for prepared transactions (two-phase) and spill files for streamed ones.
    static func forStream(_ configuration: StreamConfiguration, catalog: TypeCatalog) throws(ReplicationError) -> ChangeAssembler {
        var assembler = ChangeAssembler(
            catalog: catalog, endLSN: configuration.endLSN, includeTransactionEvents: configuration.includeTransactionEvents)
        assembler.filter = configuration.filter
        assembler.spoolMemoryLimit = configuration.maxMemory
        if configuration.twoPhase {
            guard let directory = configuration.preparedTransactionsDirectory else {
                throw .configuration(
                    ConfigurationProblem(SettingValue(.twoPhase, "true"), needs: .setting(SettingValue(.preparedTransactionsDirectory))))
            }
            assembler.prepared = try PreparedTransactionStore(directory: directory)
        }
        if configuration.streaming != .off {
            assembler.inProgress = InProgressTransactions(
                memoryLimit: configuration.maxMemory, spillDirectory: try spillDirectory(configuration))
        }
        return assembler
    }

    /// Where streamed transactions spill: checked to be a writable directory before streaming starts.
    private static func spillDirectory(_ configuration: StreamConfiguration) throws(ReplicationError) -> String {
        let directory = configuration.spillDirectory ?? "/tmp"
        var info = stat()
        guard stat(directory, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR, access(directory, W_OK) == 0 else {
            throw .configuration(ConfigurationProblem(SettingValue(.spillDirectory, directory), needs: .writableDirectory))
        }
        return directory
    }
}
