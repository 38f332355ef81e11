// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "commitcheck",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "commitcheck", targets: ["CommitCheckTool"]),
        .library(name: "CommitCheck", targets: ["CommitCheck"]),
        .library(name: "CommitCheckTesting", targets: ["CommitCheckTesting"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // The C API of Z3, found through pkg-config.
        .systemLibrary(
            name: "CZ3",
            pkgConfig: "z3",
            providers: [.apt(["libz3-dev"])]
        ),
        // A small safe layer over CZ3: lifetimes, errors, timeouts, models, cores.
        .target(name: "Z3", dependencies: ["CZ3"]),
        // The checker: parsing -> history -> constraints -> solving -> minimizing -> reporting.
        .target(name: "CommitCheck", dependencies: ["Z3"]),
        // Register histories from Jepsen/Knossos and Porcupine: the linearizability engine opened to peers' data.
        .target(name: "RegisterHistories", dependencies: ["CommitCheck", "Z3"]),
        // A deterministic simulation of Sarama-style commit strategies, and the analysis of many runs.
        .target(name: "Simulation", dependencies: ["CommitCheck", "Workloads"]),
        // One call that fails the current XCTest or Swift Testing test with the counterexample.
        .target(name: "CommitCheckTesting", dependencies: ["CommitCheck"]),
        // Generated workloads and the benchmark runner behind `commitcheck bench`.
        .target(name: "Workloads"),
        // The thin `commitcheck` executable.
        .executableTarget(
            name: "CommitCheckTool",
            dependencies: [
                "CommitCheck",
                "RegisterHistories",
                "Simulation",
                "Workloads",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "Z3Tests", dependencies: ["Z3"]),
        .testTarget(name: "SimulationTests", dependencies: ["Simulation", "CommitCheck"]),
        .testTarget(name: "RegisterHistoriesTests", dependencies: ["RegisterHistories", "CommitCheck", "Workloads"]),
        .testTarget(name: "CommitCheckTestingTests", dependencies: ["CommitCheckTesting", "CommitCheck"]),
        .testTarget(
            name: "CommitCheckTests",
            dependencies: ["CommitCheck", "Workloads"],
            resources: []
        ),
        // The HTML report, down to rendering it in headless Chromium.
        .testTarget(name: "HTMLReportTests", dependencies: ["CommitCheck"]),
    ]
)
