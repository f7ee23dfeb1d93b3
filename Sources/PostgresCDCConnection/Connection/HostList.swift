import CLibPQ
#if canImport(Glibc)
import Glibc
#endif

/// The hosts a DSN names (`host=a,b port=1,2`, `hostaddr=…`, or a multi-host URI), one entry each,
/// so that pgcdc can try them one at a time: skip an old primary and connect its helper
/// connections (snapshot copy, heartbeats, type lookups) to the host the session chose.
package struct HostList: Sendable, Equatable {
    /// One host of the list, as libpq spells it.
    package struct Host: Sendable, Equatable, CustomStringConvertible {
        /// The `host` entry (a name, an address or a socket directory); empty when only `hostaddr` is given.
        package var host: String
        /// The `hostaddr` entry, empty when none.
        package var hostaddr: String
        /// The `port` entry, empty for the default.
        package var port: String

        /// The connection options that restrict a connection to this host alone.
        package var overrides: [(String, String)] {
            [("host", host), ("hostaddr", hostaddr), ("port", port)]
        }

        /// `host:port` as in log lines and errors.
        package var description: String {
            let name = host.isEmpty ? hostaddr : host
            return "\(name.isEmpty ? "default socket" : name):\(port.isEmpty ? "5432" : port)"
        }
    }

    /// The hosts in the order libpq would try them; empty when the DSN names none (libpq's defaults).
    package var hosts: [Host]

    /// Parses `dsn`; `nil` when it is not a valid connection string (connecting reports why).
    package init?(dsn: String) {
        guard let values = ConninfoOptions.parse(dsn) else { return nil }
        func split(_ keyword: String) -> [String] {
            guard let value = values[keyword], !value.isEmpty else { return [] }
            return value.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        }
        let names = split("host"), addresses = split("hostaddr"), ports = split("port")
        let count = max(names.count, addresses.count)
        hosts = (0..<count).map { index in
            Host(
                host: index < names.count ? names[index] : "",
                hostaddr: index < addresses.count ? addresses[index] : "",
                port: ports.count == 1 ? ports[0] : index < ports.count ? ports[index] : ""
            )
        }
    }
}
