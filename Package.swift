// swift-tools-version:6.1
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "docgate",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "docgate", targets: ["docgate"]),
        .executable(name: "docgate-gateway", targets: ["docgate-gateway"]),
        .library(name: "DocgateXML", targets: ["DocgateXML"]),
        .library(name: "DocgateDocuments", targets: ["DocgateDocuments"]),
        .library(name: "DocgateCrypto", targets: ["DocgateCrypto"]),
        .library(name: "DocgateSignature", targets: ["DocgateSignature"]),
        .library(name: "DocgateProcessing", targets: ["DocgateProcessing"]),
        .library(name: "DocgateGateway", targets: ["DocgateGateway"]),
        .library(name: "DocgatePostgres", targets: ["DocgatePostgres"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/vapor/multipart-kit", from: "4.7.1"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
    ],
    targets: [
        .systemLibrary(name: "CLibXML2", pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"])]),
        .target(name: "CXMLShims", dependencies: ["CLibXML2"]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
        .target(name: "CCryptoShims", dependencies: ["COpenSSL"]),
        .target(name: "CSystemShims"),
        .target(name: "DocgateCore", swiftSettings: strict),
        .target(name: "DocgateXML", dependencies: ["CLibXML2", "CXMLShims", "DocgateCore"], swiftSettings: strict),
        .target(name: "DocgateDocuments", dependencies: ["DocgateXML", "DocgateCore"], swiftSettings: strict),
        .target(name: "DocgateCrypto", dependencies: ["COpenSSL", "CCryptoShims", "DocgateCore"], swiftSettings: strict),
        .target(name: "DocgateSignature",
                dependencies: ["DocgateCrypto", "DocgateXML", "DocgateCore"],
                swiftSettings: strict),
        // docgate's kinds as the signature profile needs them: form, number of signatures, parties.
        .target(name: "DocgateProcessing", dependencies: ["DocgateSignature", "DocgateDocuments", "DocgateCrypto", "DocgateXML", "DocgateCore", "CSystemShims"],
                swiftSettings: strict),
        .target(
            name: "DocgateGateway",
            dependencies: [
                "DocgateCore", "DocgateXML", "DocgateDocuments", "DocgateCrypto", "DocgateSignature", "DocgateProcessing", "CSystemShims",
                .product(name: "TOMLKit", package: "TOMLKit"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strict
        ),
        // The journal on PostgreSQL, for several instances on several machines; only the daemon links it.
        .target(
            name: "DocgatePostgres",
            dependencies: [
                "DocgateCore", "DocgateGateway",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        // The access layer of the operator's browser console: users file, logins and their throttling, sessions.
        // Framework-free (no Hummingbird), so that it is tested without a server.
        .target(
            name: "DocgateConsole",
            dependencies: ["DocgateCore", "DocgateGateway", .product(name: "HummingbirdBcrypt", package: "hummingbird-auth")],
            swiftSettings: strict
        ),
        // The console's pages and routes over Hummingbird: dashboard, journal, documents, quarantine, validation.
        .target(
            name: "DocgateConsoleWeb",
            dependencies: [
                "DocgateConsole", "DocgateGateway", "DocgateProcessing", "DocgateDocuments", "DocgateSignature", "DocgateCrypto",
                "DocgateXML", "DocgateCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "MultipartKit", package: "multipart-kit"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "DocgateCommandLine",
            dependencies: ["DocgateCore", "DocgateDocuments", "DocgateCrypto", "DocgateSignature", "DocgateProcessing",
                           .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: strict
        ),
        // The command line for documents: lean (FoundationEssentials only), so a batch starts fast.
        .executableTarget(
            name: "docgate",
            dependencies: [
                "DocgateCore", "DocgateXML", "DocgateDocuments", "DocgateCrypto", "DocgateSignature", "DocgateProcessing", "DocgateCommandLine",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        // The daemon and its operator commands (`docgate run|config|journal` hand over to it).
        .executableTarget(
            name: "docgate-gateway",
            dependencies: [
                "DocgateCore", "DocgateGateway", "DocgatePostgres", "DocgateCommandLine", "DocgateCrypto", "DocgateConsole", "DocgateConsoleWeb",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        // libFuzzer harnesses (scripts/fuzz builds them with -sanitize=fuzzer,address -DFUZZING).
        .executableTarget(
            name: "docgate-fuzz",
            dependencies: ["DocgateCore", "DocgateXML", "DocgateDocuments", "DocgateCrypto", "DocgateSignature", "DocgateProcessing", "DocgateGateway"],
            swiftSettings: strict
        ),
        // Releases a certificate during the exit handlers (CryptoExitTests): OpenSSL must not have cleaned up first.
        .executableTarget(name: "docgate-exit-probe", dependencies: ["DocgateCrypto"], path: "Tests/ExitProbe", swiftSettings: strict),
        .target(name: "DocgateTestSupport", dependencies: ["DocgateCore", "CSystemShims"], path: "Tests/DocgateTestSupport", swiftSettings: strict),
        .testTarget(name: "DocgateCoreTests", dependencies: ["DocgateCore"], swiftSettings: strict),
        .testTarget(name: "DocgateProcessingTests",
                    dependencies: ["DocgateProcessing", "DocgateSignature", "DocgateDocuments", "DocgateCrypto", "DocgateXML", "DocgateCore", "DocgateTestSupport"],
                    swiftSettings: strict),
        .testTarget(name: "DocgateCryptoTests", dependencies: ["DocgateCrypto", "DocgateTestSupport"], swiftSettings: strict),
        .testTarget(name: "DocgateCommandLineTests",
                    dependencies: ["DocgateCommandLine", "DocgateCore", "DocgateTestSupport",
                                   .product(name: "ArgumentParser", package: "swift-argument-parser")],
                    swiftSettings: strict),
        .testTarget(name: "DocgateXMLTests", dependencies: ["DocgateXML", "DocgateTestSupport"], swiftSettings: strict),
        .testTarget(name: "DocgateDocumentsTests", dependencies: ["DocgateDocuments", "DocgateXML", "DocgateTestSupport"], swiftSettings: strict),
        .testTarget(name: "DocgateSignatureTests",
                    dependencies: ["DocgateSignature", "DocgateProcessing", "DocgateCrypto", "DocgateDocuments", "DocgateXML", "DocgateTestSupport"],
                    swiftSettings: strict),
        .testTarget(name: "DocgateGatewayTests",
                    dependencies: ["DocgateGateway", "DocgateSignature", "DocgateProcessing", "DocgateTestSupport", .product(name: "Logging", package: "swift-log"),
                                   .product(name: "CoreMetrics", package: "swift-metrics"), .product(name: "Prometheus", package: "swift-prometheus")],
                    swiftSettings: strict),
        .testTarget(name: "DocgateConsoleTests", dependencies: ["DocgateConsole", "DocgateCore", "DocgateTestSupport"], swiftSettings: strict),
        .testTarget(name: "DocgateConsoleWebTests",
                    dependencies: ["DocgateConsoleWeb", "DocgateConsole", "DocgateGateway", "DocgateCore", "DocgateTestSupport",
                                   .product(name: "HummingbirdTesting", package: "hummingbird"),
                                   .product(name: "Logging", package: "swift-log")],
                    swiftSettings: strict),
        .testTarget(name: "DocgatePostgresTests", dependencies: ["DocgatePostgres", "DocgateGateway", "DocgateTestSupport"], swiftSettings: strict),
        .testTarget(name: "docgateTests", dependencies: ["DocgateTestSupport", "DocgateXML", "DocgateGateway", "DocgatePostgres", "DocgateConsole"],
                    swiftSettings: strict),
    ],
    swiftLanguageModes: [.v6]
)
