// swift-tools-version:6.1
import PackageDescription

// libFuzzer harnesses over the YAML module and `elevator lint`'s decoding, kept out of the root
// package so its build is untouched. Build and run with Fuzz/run.sh (see RELIABILITY.md):
//     swift build -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library
let package = Package(
    name: "ElevatorFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "Elevator", path: "..")],
    targets: [
        .target(name: "FuzzDriver"),
        .executableTarget(name: "fuzz-yaml", dependencies: ["FuzzDriver", .product(name: "YAML", package: "Elevator")]),
        .executableTarget(
            name: "fuzz-lint", dependencies: ["FuzzDriver", .product(name: "ElevatorCLI", package: "Elevator")]),
    ],
    swiftLanguageModes: [.v6]
)
