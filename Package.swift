// swift-tools-version:6.1
import PackageDescription

// Targets and what each may import follow ../shared/design/ARCHITECTURE.md.
let package = Package(
    name: "Elevator",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "elevator", targets: ["elevator"]),
        .library(name: "YAML", targets: ["YAML"]),
        .library(name: "Kube", targets: ["Kube"]),
        .library(name: "Elevation", targets: ["Elevation"]),
        .library(name: "KubeSandbox", targets: ["KubeSandbox"]),
        // For the libFuzzer harnesses in Fuzz/ (a separate package), which fuzz `elevator lint`.
        .library(name: "ElevatorCLI", targets: ["ElevatorCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        // Already in the graph through Hummingbird; named here because the sandbox imports them.
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
    ],
    targets: [
        // System libraries, wrapped once. Nothing but the C shims lives beside them.
        .systemLibrary(
            name: "CCurl", path: "Sources/CCurl", pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]),
        .target(name: "CCurlShim", dependencies: ["CCurl"], path: "Sources/CCurlShim"),
        .systemLibrary(name: "CLinuxEvents", path: "Sources/CLinuxEvents"),
        .systemLibrary(
            name: "CLibYAML", path: "Sources/CLibYAML", pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"])]),

        .target(
            name: "YAML", dependencies: ["CLibYAML"],
            swiftSettings: [.unsafeFlags(["-cross-module-optimization"], .when(configuration: .release))]),
        .target(
            name: "Kube",
            dependencies: [
                "CCurl", "CCurlShim", "CLinuxEvents", "YAML",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: [.unsafeFlags(["-cross-module-optimization"], .when(configuration: .release))]),
        .target(name: "Elevation", dependencies: ["YAML"]),
        .target(
            name: "ElevatorController",
            dependencies: [
                "Kube", "Elevation",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
            ]),
        .target(
            name: "KubeSandbox",
            dependencies: [
                "Kube", "YAML",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HummingbirdHTTP2", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]),
        // The offline commands (lint, test, render): the logic behind Sources/elevator, testable.
        .target(name: "ElevatorCLI", dependencies: ["Elevation", "YAML"]),
        // The kubectl elevate plugin's logic (API calls, parsing, output), testable against the sandbox.
        .target(
            name: "ElevatorPlugin",
            dependencies: ["Kube", "Elevation", "YAML", .product(name: "Logging", package: "swift-log")]),
        .executableTarget(
            name: "elevator",
            dependencies: [
                "ElevatorController", "KubeSandbox", "Kube", "Elevation", "YAML", "TestSupport", "ElevatorCLI", "ElevatorPlugin",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]),

        // Helpers every test target shares (a seeded random generator).
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "YAMLTests", dependencies: ["YAML", "TestSupport"]),
        .testTarget(
            name: "KubeTests",
            dependencies: [
                "Kube", "KubeSandbox", "CCurl", "CCurlShim", "CLinuxEvents", "TestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdHTTP2", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]),
        .testTarget(name: "ElevationTests", dependencies: ["Elevation", "YAML", "TestSupport"]),
        .testTarget(
            name: "ElevatorControllerTests",
            dependencies: [
                "ElevatorController", "KubeSandbox", "Kube", "Elevation", "YAML", "TestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ]),
        .testTarget(name: "KubeSandboxTests", dependencies: ["KubeSandbox", "YAML", "TestSupport"]),
        .testTarget(name: "ElevatorCLITests", dependencies: ["ElevatorCLI", "Elevation", "YAML"]),
        .testTarget(name: "ElevatorPluginTests", dependencies: ["ElevatorPlugin", "KubeSandbox", "Kube", "Elevation", "YAML"]),
    ],
    swiftLanguageModes: [.v6]
)
