/// pgoutput's options for `START_REPLICATION`, from the configuration, checked against the server:
/// the protocol version, and what it allows (streaming, binary values, two-phase, origin).
struct PgoutputOptions {
    /// The protocol version.
    var version: Int
    /// Whether column values arrive in binary.
    var binaryValues = false
    /// The options, as `START_REPLICATION` takes them.
    var pairs: [(String, String)] = []

    /// The options for streaming `configuration` from `connection`'s server; `messages` turns on
    /// logical decoding messages (asked for, or carrying backfill requests and watermarks). With
    /// ``StreamConfiguration/binaryValues`` unset, binary values are used when every published type
    /// converts from binary (asked of the server with `catalog`).
    init(_ configuration: StreamConfiguration, on connection: PostgresConnection, messages: Bool, catalog: TypeCatalog)
        throws(ReplicationError)
    {
        let server = connection.serverVersion
        let supported = server >= 160000 ? 4 : server >= 150000 ? 3 : server >= 140000 ? 2 : 1
        version = configuration.protocolVersion ?? supported
        let here = ServerVersion(host: connection.serverAddress, majorVersion: server / 10000)
        func problem(_ subject: SettingValue, needs requirement: ConfigurationProblem.Requirement) -> ReplicationError {
            .configuration(ConfigurationProblem(subject, needs: requirement, server: here))
        }
        guard (1...4).contains(version) else {
            throw .configuration(
                ConfigurationProblem(SettingValue(.protocolVersion, String(version)), needs: .oneOf(["1", "2", "3", "4"])))
        }
        guard version <= supported else {
            throw problem(SettingValue(.protocolVersion, String(version)), needs: .newerServer(supportedProtocol: supported))
        }
        pairs = [("proto_version", String(version)), ("publication_names", try connection.quoteIdentifier(configuration.publication))]
        if messages { pairs.append(("messages", "true")) }
        switch configuration.streaming {
        case .off:
            break
        case .on:
            guard version >= 2 else {
                throw problem(SettingValue(.streaming, ".on"), needs: .protocolVersion(minimum: 2, minimumServer: nil))
            }
            pairs.append(("streaming", "on"))
        case .parallel:
            guard version >= 4 else {
                throw problem(SettingValue(.streaming, ".parallel"), needs: .protocolVersion(minimum: 4, minimumServer: 16))
            }
            pairs.append(("streaming", "parallel"))
        }
        switch configuration.binaryValues {
        case true?:
            guard server >= 140000 else {
                throw problem(SettingValue(.binaryValues, "true"), needs: .server(minimum: 14))
            }
            binaryValues = true
        case false?:
            binaryValues = false
        case nil:
            if server >= 140000 {
                binaryValues = try ReplicationSetup.publishedTypesConvertFromBinary(configuration, catalog: catalog, on: connection)
            }
        }
        if binaryValues { pairs.append(("binary", "true")) }
        if configuration.twoPhase {
            guard version >= 3 else {
                throw problem(SettingValue(.twoPhase, "true"), needs: .protocolVersion(minimum: 3, minimumServer: 15))
            }
            pairs.append(("two_phase", "on"))
        }
        if configuration.localChangesOnly {
            guard server >= 160000 else {
                throw problem(SettingValue(.localChangesOnly, "true"), needs: .server(minimum: 16))
            }
            pairs.append(("origin", "none"))
        }
    }
}
