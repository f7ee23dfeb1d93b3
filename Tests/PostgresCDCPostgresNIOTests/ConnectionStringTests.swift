import PostgresCDCPostgresNIO
import PostgresNIO
import Testing

/// `PostgresClient.Configuration(connectionString:)` reads a DSN as libpq does, and its errors
/// never repeat the string.
@Suite struct ConnectionStringTests {
    @Test func keywordsAndURIsGiveTheSameServer() throws {
        let keywords = try PostgresClient.Configuration(
            connectionString: "host=db.example port=6432 user=etl password=s3cretXYZ dbname=dw sslmode=disable", environment: [:])
        let uri = try PostgresClient.Configuration(
            connectionString: "postgresql://etl:s3cret%58YZ@db.example:6432/dw?sslmode=disable", environment: [:])
        for configuration in [keywords, uri] {
            #expect(configuration.host == "db.example" && configuration.port == 6432)
            #expect(configuration.username == "etl" && configuration.password == "s3cretXYZ" && configuration.database == "dw")
        }
    }

    @Test func missingOptionsComeFromTheEnvironmentThenLibpqsDefaults() throws {
        let fromEnvironment = try PostgresClient.Configuration(
            connectionString: "dbname=dw", environment: ["PGHOST": "h", "PGPORT": "7000", "PGUSER": "u", "PGPASSWORD": "p"])
        #expect(fromEnvironment.host == "h" && fromEnvironment.port == 7000 && fromEnvironment.username == "u")
        #expect(fromEnvironment.password == "p" && fromEnvironment.database == "dw")
        let socket = try PostgresClient.Configuration(connectionString: "user=u", environment: [:])
        #expect(socket.unixSocketPath == "/var/run/postgresql/.s.PGSQL.5432" && socket.database == "u")
    }

    @Test func whatItCannotHonourIsNamedWithoutTheString() {
        let cases: [(String, ConnectionStringError)] = [
            ("host=a password=s3cretXYZ portt=1", .notAConnectionString),
            ("host=a,b password=s3cretXYZ", .severalHosts),
            ("host=a password=s3cretXYZ sslcert=/c.pem", .unsupportedOption("sslcert")),
            ("host=a password=s3cretXYZ sslmode=sometimes", .invalidValue(option: "sslmode")),
            ("host=a password=s3cretXYZ port=x", .invalidValue(option: "port")),
        ]
        for (dsn, expected) in cases {
            #expect(throws: expected) { try PostgresClient.Configuration(connectionString: dsn, environment: [:]) }
            #expect(!expected.description.contains("s3cret"))
        }
    }
}
