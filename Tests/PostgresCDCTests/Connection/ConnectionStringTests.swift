import CLibPQ
import Testing
@testable import PostgresCDC
@testable import PostgresCDCConnection

/// The one parser of connection strings reads them as libpq does: keyword/value pairs with quotes
/// and escapes, URIs with percent-escapes and several hosts — and finds the passwords in both.
@Suite struct ConnectionStringTests {
    static func pairs(_ text: String) -> [String] {
        ConnectionString(parsing: text).options.map { "\($0.keyword)=\($0.value)" }
    }

    @Test func keywordValuePairsWithQuotesAndEscapes() {
        #expect(Self.pairs("host=db port = 5432  dbname='my app'") == ["host=db", "port=5432", "dbname=my app"])
        #expect(Self.pairs(#"password='it\'s' user=a\ b"#) == ["password=it's", "user=a b"])
        #expect(Self.pairs("dbname=''\toptions='-c a=b'") == ["dbname=", "options=-c a=b"])
        #expect(Self.pairs("requiressl=1") == ["sslmode=require"])
        #expect(ConnectionString(parsing: "host=a host=b").value("host") == "b")
        #expect(ConnectionString(parsing: "host=db port=1").syntaxError == nil)
    }

    @Test func syntaxErrorsAreNamedAndReadingGoesOn() {
        let missing = ConnectionString(parsing: "host=db password s3cret")
        #expect(missing.syntaxError == "missing \"=\" after \"password\" in connection info string")
        #expect(missing.value("password") == "s3cret")
        let open = ConnectionString(parsing: "host=db password='s3cret")
        #expect(open.syntaxError == "unterminated quoted string in connection info string")
        #expect(open.value("password") == "s3cret")
    }

    @Test func urisWithPercentEscapesAndSeveralHosts() {
        #expect(
            Self.pairs("postgresql://cdc:p%40ss@db1:5432,db2:5433/app%20db?sslmode=require&application_name=x")
                == [
                    "user=cdc", "password=p@ss", "host=db1,db2", "port=5432,5433", "dbname=app db", "sslmode=require", "application_name=x",
                ])
        #expect(Self.pairs("postgres://[::1]:5432,[fe80::1]/db") == ["host=::1,fe80::1", "port=5432,", "dbname=db"])
        #expect(Self.pairs("postgresql://") == [])
        #expect(Self.pairs("postgresql:///app?host=/var/run/postgresql") == ["dbname=app", "host=/var/run/postgresql"])
        #expect(Self.pairs("postgresql://h/?ssl=true") == ["host=h", "sslmode=require"])
        #expect(ConnectionString(parsing: "postgresql://u:s%58@h").options.first { $0.keyword == "password" }?.spelling == "s%58")
    }

    @Test func malformedUrisAreNamedInLibpqsWords() {
        #expect(
            ConnectionString(parsing: "postgresql://h/db?a").syntaxError
                == "missing key/value separator \"=\" in URI query parameter: \"a\"")
        #expect(
            ConnectionString(parsing: "postgresql://h/db?a=b=c").syntaxError
                == "extra key/value separator \"=\" in URI query parameter: \"a\"")
        #expect(ConnectionString(parsing: "postgresql://h/d%zz").syntaxError == "invalid percent-encoded token: \"d%zz\"")
        #expect(ConnectionString(parsing: "postgresql://h/d%00").syntaxError == "forbidden value %00 in percent-encoded value: \"d%00\"")
        #expect(ConnectionString(parsing: "postgresql://[::1").syntaxError?.hasPrefix("end of string reached") == true)
        #expect(ConnectionString(parsing: "postgresql://[]").syntaxError?.hasPrefix("IPv6 host address may not be empty") == true)
        #expect(
            ConnectionString(parsing: "postgresql://[::1]x").syntaxError?.hasPrefix("unexpected character \"x\" at position 19") == true)
    }

    /// libpq's own reading, for comparison: keyword → value, `nil` when it rejects the string.
    static func libpq(_ text: String) -> [String: String]? {
        var errorMessage: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(text, &errorMessage) else {
            if let errorMessage { PQfreemem(errorMessage) }
            return nil
        }
        defer { PQconninfoFree(options) }
        var values: [String: String] = [:]
        var index = 0
        while let keyword = options[index].keyword {
            if let value = options[index].val { values[String(cString: keyword)] = String(cString: value) }
            index += 1
        }
        return values
    }

    @Test func whatLibpqAcceptsIsReadTheSameAndWhatItRejectsIsRejected() {
        let strings = [
            "", "   ", "host=db", "host=db port=5432 dbname=app user=cdc password=s3cret", "host = db  port= 1",
            "dbname='my \\'db' user=a\\ b", "dbname=''", "host=a,b,c port=1,2,3 target_session_attrs=read-write", "requiressl=0",
            "requiressl=1", "hostaddr=127.0.0.1 host=db", "options='-c search_path=x'", "host=db portt=1", "host=db password s3cret",
            "host='db", "=x", "host=db\tport=1\nuser=u", "postgresql://", "postgres://db", "postgresql://u:p@h:1/d",
            "postgresql://u@h1:1,h2:2/d?sslmode=disable", "postgresql://[::1]:5432/d", "postgresql://[::1],[::2]:2/d",
            "postgresql://u:p%40ss@h/d%20x", "postgresql://h/d?ssl=true", "postgresql://h/d?ssl=false", "postgresql://h/d?bad=1",
            "postgresql://h/d?a", "postgresql://h/d?host=a&&port=1", "postgresql://h/d?port=1&", "postgresql://h/d%zz",
            "postgresql://h/d%00", "postgresql://[::1", "postgresql://[]", "postgresql://[::1]x", "postgresql://:5432/d",
            "postgresql://,/d", "postgresql://h:/d", "postgresql://@h/d", "postgresql://u:@h", "postgresql:///d?host=%2Ftmp",
            "postgresql://h/d?application_name=a%3Db", "postgresql://h?dbname=x&dbname=y", "postgresql://u:p/x@h",
            "POSTGRESQL://h/d", "postgresql://h/d?requiressl=1",
        ]
        for text in strings {
            #expect(ConninfoOptions.parse(text) == Self.libpq(text), "\(text)")
        }
    }

    @Test func passwordsAreFoundAndRedactedTheSameWayInEveryForm() {
        let dsns = [
            "host=db password=s3cretXYZ", "host=db password='s3cretXYZ'", "host=db password = s3cretXYZ portt=1",
            "postgresql://u:s3cretXYZ@db/app", "postgresql://u:s3cret%58YZ@db/app", "postgresql://u@db/app?password=s3cret%58YZ",
            "postgresql://u:s3cretXYZ@db/app?bad=1", "host=db password s3cretXYZ", "host=db sslpassword=s3cretXYZ",
        ]
        for dsn in dsns {
            let message = "could not parse \(dsn): s3cretXYZ"
            #expect(!DSNSecrets.redact(message, dsn: dsn).contains("s3cret"), "\(dsn)")
        }
        #expect(DSNSecrets.containsPassword("host=db password=x"))
        #expect(DSNSecrets.containsPassword("postgresql://u:x@db"))
        #expect(!DSNSecrets.containsPassword("host=db password=x password="))
        #expect(!DSNSecrets.containsPassword("postgresql://u@db/app"))
    }
}
