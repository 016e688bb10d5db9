// swift-tools-version:6.1
import PackageDescription

// The performance suite of the YAML module (not timed tests): our parser against libyaml's raw
// event loop, Yams and PyYAML, on one generated ~20 MB stream, in one run:
//     cd Benchmarks && swift run -c release yaml-bench
// Yams vendors its own libyaml (module CYaml) whose symbols clash with the system libyaml that our
// YAML module links, so Yams runs in its own executable, started by yaml-bench.
let package = Package(
    name: "ElevatorBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "Elevator", path: ".."),
        .package(url: "https://github.com/jpsim/Yams", exact: "5.0.1"),
    ],
    targets: [
        .target(name: "CLibYAMLEvents", linkerSettings: [.linkedLibrary("yaml")]),
        .executableTarget(
            name: "yaml-bench",
            dependencies: ["CLibYAMLEvents", .product(name: "YAML", package: "Elevator")]),
        .executableTarget(name: "yams-bench", dependencies: [.product(name: "Yams", package: "Yams")]),
        // The Kube client against the Python client and kubectl (see BENCHMARKS.md, "Kube client"):
        //     cd Benchmarks && swift build -c release && .build/release/kube-bench
        // kube-bench starts kube-bench-sandbox (built beside it) as a separate server process.
        .executableTarget(
            name: "kube-bench",
            dependencies: [.product(name: "Kube", package: "Elevator"), .product(name: "YAML", package: "Elevator")]),
        .executableTarget(
            name: "kube-bench-sandbox",
            dependencies: [
                .product(name: "KubeSandbox", package: "Elevator"), .product(name: "YAML", package: "Elevator"),
            ]),
        // The controller end to end (see BENCHMARKS.md, "Controller"): `elevator controller` and
        // `elevator sandbox` (release builds of the root package) as separate processes, driven by
        // our Kube client:  bash Benchmarks/controller/run.sh [--quick]
        .executableTarget(
            name: "controller-bench",
            dependencies: [
                .product(name: "Kube", package: "Elevator"), .product(name: "Elevation", package: "Elevator"),
                .product(name: "YAML", package: "Elevator"),
            ]),
    ],
    swiftLanguageModes: [.v6]
)
