// swift-tools-version:6.1
import PackageDescription

// Benchmarks live in their own package so that building and testing docgate never builds them.
// Run: Benchmarks/run.sh (see BENCHMARKS.md).
let package = Package(
    name: "docgate-benchmarks",
    platforms: [.macOS(.v15)],
    targets: [
        .executableTarget(name: "docgate-bench", swiftSettings: [.enableUpcomingFeature("ExistentialAny")]),
    ],
    swiftLanguageModes: [.v6]
)
