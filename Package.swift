// swift-tools-version:6.0
import PackageDescription

let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "spool",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "spool", targets: ["spool"]),
        .library(name: "SpoolCore", targets: ["SpoolCore"]),
        .library(name: "SpoolStore", targets: ["SpoolStore"]),
        .library(name: "SpoolServer", targets: ["SpoolServer"]),
        .library(name: "SpoolClient", targets: ["SpoolClient"]),
        .library(name: "SpoolAgent", targets: ["SpoolAgent"]),
        .library(name: "SpoolJS", targets: ["SpoolJS"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
    ],
    targets: [
        .target(
            name: "SpoolCore",
            swiftSettings: strictSettings
        ),
        // Header-only: the library is opened with dlopen when the first sandbox is made (see its shim.h).
        .systemLibrary(
            name: "CJavaScriptCore",
            providers: [.apt(["libjavascriptcoregtk-4.1-dev"])]
        ),
        .systemLibrary(name: "CLinuxSockets"),
        .target(
            name: "SpoolJS",
            dependencies: [
                "SpoolCore",
                .target(name: "CJavaScriptCore", condition: .when(platforms: [.linux])),
            ],
            // Where Debian's libjavascriptcoregtk-4.1-dev puts the headers (pkg-config would also link the library).
            swiftSettings: strictSettings + [.unsafeFlags(["-Xcc", "-I/usr/include/webkitgtk-4.1"], .when(platforms: [.linux]))]
        ),
        .target(
            name: "SpoolStore",
            dependencies: [
                "SpoolCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "SpoolPostgres",
            dependencies: [
                "SpoolCore",
                "SpoolStore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "SpoolProcessors",
            dependencies: [
                "SpoolCore",
                "SpoolJS",
                "SpoolStore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "ConsoleAssetEmbedder",
            swiftSettings: strictSettings
        ),
        .plugin(
            name: "EmbedConsoleAssets",
            capability: .buildTool(),
            dependencies: ["ConsoleAssetEmbedder"]
        ),
        .target(
            name: "SpoolConsole",
            exclude: ["Assets", "package.json"],
            swiftSettings: strictSettings,
            plugins: ["EmbedConsoleAssets"]
        ),
        .target(
            name: "SpoolServer",
            dependencies: [
                "SpoolCore",
                "SpoolConsole",
                "SpoolStore",
                "SpoolPostgres",
                "SpoolProcessors",
                "SpoolAgent",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "SpoolClient",
            dependencies: [
                "SpoolCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "SpoolAgent",
            dependencies: [
                "SpoolCore",
                "SpoolJS",
                "SpoolClient",
                "SpoolStore",
                "SpoolProcessors",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "SpoolBench",
            dependencies: [
                "SpoolAgent",
                "SpoolCore",
                "SpoolStore",
                "SpoolProcessors",
                "SpoolTesting",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                "SpoolClient",
                "SpoolServer",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .target(name: "CLinuxSockets", condition: .when(platforms: [.linux])),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "SpoolTesting",
            dependencies: [
                "SpoolCore",
                "SpoolStore",
                "SpoolPostgres",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                "SpoolServer",
                "SpoolAgent",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "spool",
            dependencies: [
                "SpoolAgent",
                "SpoolCore",
                "SpoolProcessors",
                "SpoolServer",
                "SpoolClient",
                "SpoolBench",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SpoolBenchTests",
            dependencies: ["SpoolBench", "SpoolTesting", .product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SpoolCoreTests",
            dependencies: ["SpoolCore", .product(name: "Yams", package: "Yams")],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SpoolStoreTests",
            dependencies: [
                "SpoolCore", "SpoolStore", "SpoolPostgres", "SpoolTesting",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SpoolServerTests",
            dependencies: [
                "SpoolCore", "SpoolStore", "SpoolServer", "SpoolClient", "SpoolTesting", "SpoolConsole",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SpoolProcessorsTests",
            dependencies: [
                "SpoolCore", "SpoolStore", "SpoolProcessors", "SpoolTesting", "SpoolClient", "SpoolServer",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SpoolAgentTests",
            dependencies: [
                "SpoolCore", "SpoolAgent", "SpoolTesting", "SpoolClient", "SpoolServer", "SpoolStore", "SpoolProcessors",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SpoolJSTests",
            dependencies: ["SpoolCore", "SpoolJS"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SpoolCLITests",
            dependencies: [
                "spool", "SpoolCore", "SpoolClient", "SpoolServer", "SpoolTesting",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
    ]
)
