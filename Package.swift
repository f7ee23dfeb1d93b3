// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "pgcdc",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "PGOutput", targets: ["PGOutput"]),
        .library(name: "PostgresCDC", targets: ["PostgresCDC"]),
        .library(name: "PostgresCDCNATS", targets: ["PostgresCDCNATS"]),
        .library(name: "PostgresCDCPostgresNIO", targets: ["PostgresCDCPostgresNIO"]),
        .library(name: "PostgresCDCTesting", targets: ["PostgresCDCTesting"]),
        .executable(name: "pgcdc", targets: ["pgcdc"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        // Only the PostgresCDCPostgresNIO module links it: the checkpoint store for postgres-nio jobs.
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.25.0"),
        // The CLI's metrics endpoint (NIOHTTP1); already in the graph through postgres-nio.
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.0"),
        // Only the SearchIndexSync example and its test link it (SQLite through GRDB); no library product does.
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    ],
    targets: [
        // Debian's libpq-dev (pkg-config "libpq").
        .systemLibrary(
            name: "CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]
        ),
        // Pure Swift decoding of the CopyBoth framing and the pgoutput protocol; no libpq.
        .target(name: "PGOutput"),
        // The lowest floor of the library, pure Swift without libpq: the library's error type, the
        // time source, the backoff, file I/O and the threads that blocking calls run on.
        .target(name: "PostgresCDCBase", dependencies: ["PGOutput"]),
        // The connection floor: libpq connections (replication and SQL), connection strings and
        // host lists, TLS. Knows no events, encoders or streams.
        .target(
            name: "PostgresCDCConnection",
            dependencies: ["PGOutput", "PostgresCDCBase", "CLibPQ"]
        ),
        // The events floor, the whole per-event path in one module and without libpq: values and
        // their conversion (type catalog), change events and rows, the assembler that decodes
        // pgoutput messages into events, and the JSON encoders that write them. Knows no
        // connections, streams, sessions, sinks or checkpoints.
        .target(
            name: "PostgresCDCEvents",
            dependencies: ["PGOutput", "PostgresCDCBase"]
        ),
        // The library: the stream, snapshots, backfills, checkpoints, sinks.
        .target(
            name: "PostgresCDC",
            dependencies: [
                "PGOutput",
                "PostgresCDCBase",
                "PostgresCDCConnection",
                "PostgresCDCEvents",
                "CLibPQ",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // Debian's libnats-dev, the official NATS C client (pkg-config "libnats").
        .systemLibrary(
            name: "CNATS",
            pkgConfig: "libnats",
            providers: [.apt(["libnats-dev"])]
        ),
        // The NATS JetStream sink, in a module of its own: only its users link libnats.
        .target(name: "PostgresCDCNATS", dependencies: ["PostgresCDC", "PGOutput", "CNATS"]),
        // The checkpoint store for jobs that write with postgres-nio, in a module of its own: only
        // its users link postgres-nio (and SwiftNIO); PostgresCDC stays free of it.
        .target(
            name: "PostgresCDCPostgresNIO",
            dependencies: [
                "PostgresCDC", "PGOutput", .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        // The git commit the CLI was built from (`pgcdc --version`), set by scripts/package.
        .target(name: "CBuildInfo"),
        // The CLI.
        .executableTarget(
            name: "pgcdc",
            dependencies: [
                "CBuildInfo",
                "PostgresCDC",
                "PostgresCDCNATS",
                "PostgresCDCTesting",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),
        // The decoder's fuzz target: replays files in a normal build; with -DPGCDC_FUZZING and
        // -sanitize=fuzzer it is a libFuzzer binary (scripts/fuzz).
        .executableTarget(name: "PGOutputFuzzer", dependencies: ["PGOutput", "PostgresCDC"]),
        // The decoder + encoder micro-benchmark on recorded streams (Benchmarks/micro.sh).
        .executableTarget(name: "PGCDCMicroBench", dependencies: ["PGOutput", "PostgresCDC"], path: "Benchmarks/MicroBench"),
        // Programs that embed the library (examples/README.md); they build with the package.
        .executableTarget(name: "PrintEvents", dependencies: ["PostgresCDC"], path: "examples/PrintEvents"),
        .executableTarget(
            name: "ETLToPostgres",
            dependencies: [
                "PostgresCDC", "PostgresCDCPostgresNIO", .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"), .product(name: "Logging", package: "swift-log"),
            ],
            path: "examples/ETLToPostgres"
        ),
        .executableTarget(name: "SegmentSink", dependencies: ["PostgresCDC"], path: "examples/SegmentSink"),
        .executableTarget(
            name: "SearchIndexSync",
            dependencies: [
                "PostgresCDC", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"), .product(name: "Logging", package: "swift-log"),
            ],
            path: "examples/SearchIndexSync"
        ),
        // A throwaway PostgreSQL for tests (initdb, pg_ctl), for users' tests too; `pgcdc demo` runs one.
        // Foundation only: it starts and stops servers and runs psql, so it does not link libpq.
        .target(name: "PostgresCDCTesting", dependencies: ["PostgresCDCBase"]),
        // The servers shared by the tests of one test process, the built CLI run as a process.
        .target(
            name: "TestSupport", dependencies: ["PostgresCDC", "PostgresCDCTesting", .product(name: "Logging", package: "swift-log")],
            path: "Tests/TestSupport"
        ),
        .testTarget(name: "PGOutputTests", dependencies: ["PGOutput"]),
        .testTarget(
            name: "PostgresCDCTests",
            dependencies: [
                "PostgresCDC", "PostgresCDCConnection", "PostgresCDCEvents", "PGOutput", "PostgresCDCTesting", "TestSupport",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(name: "pgcdcTests", dependencies: ["PostgresCDC", "pgcdc", "PostgresCDCTesting", "TestSupport"]),
        .testTarget(
            name: "PostgresCDCNATSTests",
            dependencies: ["PostgresCDCNATS", "PostgresCDC", "CNATS", "PostgresCDCTesting", "TestSupport", "pgcdc"]
        ),
        .testTarget(
            name: "ExamplesTests",
            dependencies: [
                "PostgresCDC", "PostgresCDCTesting", "TestSupport", "PrintEvents", "ETLToPostgres", "SegmentSink", "SearchIndexSync",
                "PostgresCDCPostgresNIO", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"), .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "PostgresCDCPostgresNIOTests",
            dependencies: [
                "PostgresCDCPostgresNIO", "PostgresCDC", "PGOutput", "PostgresCDCTesting", "TestSupport",
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ]
        ),
        .testTarget(name: "PostgresCDCTestingTests", dependencies: ["PostgresCDC", "PostgresCDCTesting", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
