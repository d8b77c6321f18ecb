// swift-tools-version:6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "patron",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "patron", targets: ["PatronCLI"]),
        .library(name: "PatronNumerics", targets: ["PatronNumerics"]),
        .library(name: "CustomerValue", targets: ["CustomerValue"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-numerics", from: "1.1.1"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/adam-fowler/compress-nio", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
    ],
    targets: [
        .target(
            name: "PatronNumerics",
            dependencies: [.product(name: "RealModule", package: "swift-numerics")]
        ),
        .target(
            name: "CustomerValue",
            dependencies: ["PatronNumerics", .product(name: "RealModule", package: "swift-numerics")]
        ),
        .target(name: "PatronCore", dependencies: ["CustomerValue"]),
        .target(name: "CSQLiteSettings", linkerSettings: [.linkedLibrary("sqlite3")]),
        .target(
            name: "PatronStorage",
            dependencies: [
                "PatronCore",
                "CustomerValue",
                "CSQLiteSettings",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "PatronSegments",
            dependencies: ["PatronCore", "PatronStorage", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .target(
            name: "PatronServer",
            dependencies: [
                "PatronCore",
                "PatronStorage",
                "PatronInsights",
                "PatronDelivery",
                "PatronSegments",
                "CustomerValue",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "PatronDelivery",
            dependencies: [
                "PatronCore",
                "PatronStorage",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "PatronInsights",
            dependencies: ["CustomerValue", "PatronNumerics", "PatronCore", "PatronStorage"]
        ),
        .executableTarget(
            name: "PatronCLI",
            dependencies: [
                "CustomerValue",
                "PatronNumerics",
                "PatronCore",
                "PatronStorage",
                "PatronInsights",
                "PatronSegments",
                "PatronServer",
                "PatronDelivery",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            resources: [.copy("Resources")]
        ),
        // Temporary files of the tests, removed when the test process exits.
        .target(name: "PatronTestSupport", path: "Tests/PatronTestSupport"),
        .testTarget(name: "PatronNumericsTests", dependencies: ["PatronNumerics"]),
        .testTarget(
            name: "CustomerValueTests",
            dependencies: ["CustomerValue", "PatronNumerics"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(name: "PatronCoreTests", dependencies: ["PatronCore", "PatronNumerics"]),
        .testTarget(
            name: "PatronStorageTests",
            dependencies: [
                "PatronTestSupport",
                "PatronStorage", "PatronCore", "CSQLiteSettings", .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        .testTarget(
            name: "PatronSegmentsTests",
            dependencies: [
                "PatronTestSupport",
                "PatronSegments", "PatronStorage", "PatronCore", "PatronNumerics",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        .testTarget(
            name: "PatronInsightsTests",
            dependencies: [
                "PatronTestSupport", "PatronInsights", "PatronStorage", "PatronCore", "CustomerValue",
            ],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "PatronServerTests",
            dependencies: [
                "PatronTestSupport",
                "PatronServer",
                "PatronSegments",
                "PatronStorage",
                "PatronCore",
                "PatronInsights",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .testTarget(
            name: "PatronDeliveryTests",
            dependencies: [
                "PatronTestSupport",
                "PatronDelivery",
                "PatronStorage",
                "PatronCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "PatronCLITests",
            dependencies: [
                "PatronTestSupport", "PatronCLI", "CustomerValue", "PatronCore", "PatronStorage",
            ],
            resources: [.copy("Fixtures")]
        ),
    ]
)

for target in package.targets where target.type != .plugin && target.name != "CSQLiteSettings" {
    target.swiftSettings = (target.swiftSettings ?? []) + swiftSettings
}
