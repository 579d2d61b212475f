// swift-tools-version: 6.1
//
// Troupe: a Swift runtime for event choreography between distributed services.
//
// Layers (imports point down only; see README.md "Where things live"):
//   troupe (CLI) → TroupeMeshNIO → TroupeMesh → TroupeWire
import PackageDescription

let strictSwift6: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "Troupe",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "troupe", targets: ["troupe"]),
        .library(name: "TroupeWire", targets: ["TroupeWire"]),
        .library(name: "TroupeMesh", targets: ["TroupeMesh"]),
        .library(name: "TroupeMeshNIO", targets: ["TroupeMeshNIO"]),
        .library(name: "Troupe", targets: ["Troupe"]),
        .library(name: "TroupeStore", targets: ["TroupeStore"]),
        .library(name: "OrderSaga", targets: ["OrderSaga"]),
        .library(name: "TroupeHost", targets: ["TroupeHost"]),
        .library(name: "TroupeChaos", targets: ["TroupeChaos"]),
        .library(name: "TroupeSimulation", targets: ["TroupeSimulation"]),
        .library(name: "SagaSimulation", targets: ["SagaSimulation"]),
        .library(name: "TroupeHTTP", targets: ["TroupeHTTP"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-distributed-tracing.git", from: "1.7.3"),
        .package(url: "https://github.com/apple/swift-nio-http2.git", from: "1.46.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
    ],
    targets: [
        // L1: the CPU's CRC-32C instructions, which Swift cannot name (used by TroupeWire).
        .target(name: "CTroupeCRC32C"),
        // L1: pure frame codec. No sockets, no clocks.
        .target(
            name: "TroupeWire",
            dependencies: ["CTroupeCRC32C", .product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: strictSwift6
        ),
        // L2: pure mesh state machines (handshake, liveness, membership, interest, routing).
        .target(
            name: "TroupeMesh",
            dependencies: [
                "TroupeWire",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "DequeModule", package: "swift-collections"),
            ],
            swiftSettings: strictSwift6
        ),
        // L3: the sockets that drive TroupeMesh.
        .target(
            name: "TroupeMeshNIO",
            dependencies: [
                "TroupeMesh",
                "TroupeWire",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "DequeModule", package: "swift-collections"),
            ],
            swiftSettings: strictSwift6
        ),
        // L3: the runtime service authors program against (delivery, idempotency, correlation).
        .target(
            name: "Troupe",
            dependencies: [
                "TroupeMesh",
                "TroupeWire",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "HeapModule", package: "swift-collections"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Instrumentation", package: "swift-distributed-tracing"),
            ],
            swiftSettings: strictSwift6
        ),
        // L4: process-wide SQLite settings that Swift cannot reach (`sqlite3_config` is variadic).
        .target(
            name: "CTroupeSQLite",
            dependencies: [.product(name: "GRDBSQLite", package: "GRDB.swift")],
            linkerSettings: [.linkedLibrary("sqlite3")]
        ),
        // L4: durable stores (SQLite through GRDB), one database file per node.
        .target(
            name: "TroupeStore",
            dependencies: [
                "CTroupeSQLite",
                "Troupe",
                "TroupeWire",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ],
            swiftSettings: strictSwift6
        ),
        // L4: fault plans, the hooks that inject them, and timed scenarios (DESIGN.md §5).
        .target(
            name: "TroupeChaos",
            dependencies: [
                "Troupe",
                "TroupeMesh",
                "TroupeWire",
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strictSwift6
        ),
        // L5: deterministic simulation: N nodes in one process on a simulated network and a
        // virtual clock, driven by a single-threaded scheduler (no sockets: no NIOPosix).
        .target(
            name: "TroupeSimulation",
            dependencies: [
                "Troupe",
                "TroupeChaos",
                "TroupeMesh",
                "TroupeWire",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "HeapModule", package: "swift-collections"),
            ],
            swiftSettings: strictSwift6
        ),
        // The order saga wired into the simulator: its four services, orders, invariants.
        .target(
            name: "SagaSimulation",
            dependencies: [
                "TroupeSimulation",
                "OrderSaga",
                "Troupe",
                "TroupeChaos",
                "TroupeWire",
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strictSwift6
        ),
        // L6: the one composition root: store + mesh + node as a swift-service-lifecycle Service.
        .target(
            name: "TroupeHost",
            dependencies: [
                "Troupe",
                "TroupeChaos",
                "TroupeStore",
                "TroupeMesh",
                "TroupeMeshNIO",
                "TroupeWire",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSwift6
        ),
        // L6: HTTP/1.1 + HTTP/2 ingress, admin API, Prometheus metrics and the live dashboard.
        .target(
            name: "TroupeHTTP",
            dependencies: [
                "Troupe",
                "TroupeChaos",
                "TroupeMesh",
                "TroupeMeshNIO",
                "TroupeWire",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTP2", package: "swift-nio-http2"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdHTTP2", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSwift6
        ),
        // The flagship sample: order, inventory, payment, notification. Imports only the runtime.
        .target(
            name: "OrderSaga",
            dependencies: ["Troupe"],
            path: "Samples/OrderSaga",
            swiftSettings: strictSwift6
        ),
        .executableTarget(
            name: "troupe",
            dependencies: [
                "TroupeHost",
                "TroupeHTTP",
                "TroupeChaos",
                "TroupeSimulation",
                "SagaSimulation",
                "OrderSaga",
                "Troupe",
                "TroupeStore",
                "TroupeMeshNIO",
                "TroupeMesh",
                "TroupeWire",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ],
            swiftSettings: strictSwift6
        ),
        // What several test targets share (test targets cannot import each other).
        .target(
            name: "TroupeTestSupport",
            path: "Tests/TroupeTestSupport",
            swiftSettings: strictSwift6
        ),
        .testTarget(
            name: "TroupeWireTests",
            dependencies: [
                "TroupeWire",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOTestUtils", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            swiftSettings: strictSwift6
        ),
        .testTarget(
            name: "TroupeTests",
            dependencies: [
                "Troupe",
                "TroupeWire",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            swiftSettings: strictSwift6
        ),
        .testTarget(
            name: "TroupeStoreTests",
            dependencies: [
                "CTroupeSQLite",
                "TroupeTestSupport",
                "TroupeStore",
                "Troupe",
                "TroupeWire",
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strictSwift6
        ),
        .testTarget(
            name: "TroupeIntegrationTests",
            dependencies: [
                "TroupeTestSupport",
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Instrumentation", package: "swift-distributed-tracing"),
                "Troupe",
                "TroupeChaos",
                "TroupeStore",
                "TroupeMesh",
                "TroupeMeshNIO",
                "TroupeWire",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSwift6
        ),
        .testTarget(
            name: "OrderSagaTests",
            dependencies: [
                "TroupeTestSupport",
                "OrderSaga",
                "Troupe",
                "TroupeMesh",
                "TroupeMeshNIO",
                "TroupeWire",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSwift6
        ),
        // Multi-process tests: they launch the built `troupe` executable.
        .testTarget(
            name: "TroupeProcessTests",
            dependencies: [
                "TroupeTestSupport",
                "OrderSaga",
                "TroupeChaos",
                "Troupe",
                "TroupeHost",
                "TroupeMeshNIO",
                "TroupeWire",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strictSwift6
        ),
        .testTarget(
            name: "TroupeChaosTests",
            dependencies: [
                "TroupeChaos",
                "Troupe",
                "TroupeMesh",
                "TroupeWire",
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strictSwift6
        ),
        .testTarget(
            name: "TroupeSimulationTests",
            dependencies: [
                "TroupeSimulation",
                "SagaSimulation",
                "OrderSaga",
                "Troupe",
                "TroupeChaos",
                "TroupeMesh",
                "TroupeWire",
            ],
            swiftSettings: strictSwift6
        ),
        .testTarget(
            name: "TroupeHTTPTests",
            dependencies: [
                "TroupeHTTP",
                "TroupeHost",
                "TroupeChaos",
                "Troupe",
                "TroupeWire",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSwift6
        ),
        .testTarget(
            name: "TroupeMeshTests",
            dependencies: ["TroupeMesh", "TroupeWire"],
            swiftSettings: strictSwift6
        ),
        .testTarget(
            name: "TroupeMeshNIOTests",
            dependencies: [
                "TroupeTestSupport",
                "TroupeMeshNIO",
                "TroupeMesh",
                "TroupeWire",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSwift6
        ),
    ]
)
