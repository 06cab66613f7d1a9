// swift-tools-version:6.1
import PackageDescription

// Benchmarks live in their own package so that building and testing docgate never builds them.
// Run: Benchmarks/run.sh (see BENCHMARKS.md).
let package = Package(
    name: "docgate-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "docgate", path: ".."),
    ],
    targets: [
        .executableTarget(
            name: "docgate-bench",
            dependencies: [
                .product(name: "DocgateDocuments", package: "docgate"),
                .product(name: "DocgateXML", package: "docgate"),
                .product(name: "DocgateCrypto", package: "docgate"),
                .product(name: "DocgateSignature", package: "docgate"),
                .product(name: "DocgateProcessing", package: "docgate"),
                .product(name: "DocgateGateway", package: "docgate"),
                .product(name: "DocgatePostgres", package: "docgate"),
            ],
            swiftSettings: [.enableUpcomingFeature("ExistentialAny")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
