// swift-tools-version:6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "patron",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "patron", targets: ["PatronCLI"]),
        .library(name: "PatronNumerics", targets: ["PatronNumerics"]),
        .library(name: "CustomerValue", targets: ["CustomerValue"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-numerics", from: "1.1.1"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
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
        .executableTarget(
            name: "PatronCLI",
            dependencies: [
                "CustomerValue",
                "PatronNumerics",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            resources: [.copy("Resources")]
        ),
        .testTarget(name: "PatronNumericsTests", dependencies: ["PatronNumerics"]),
        .testTarget(
            name: "CustomerValueTests",
            dependencies: ["CustomerValue", "PatronNumerics"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "PatronCLITests",
            dependencies: ["PatronCLI", "CustomerValue"],
            resources: [.copy("Fixtures")]
        ),
    ]
)

for target in package.targets where target.type != .plugin {
    target.swiftSettings = (target.swiftSettings ?? []) + swiftSettings
}
