// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "commitcheck",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "commitcheck", targets: ["CommitCheckTool"]),
        .library(name: "CommitCheck", targets: ["CommitCheck"]),
        .library(name: "CommitCheckTesting", targets: ["CommitCheckTesting"]),
        .library(name: "CommitRecorder", targets: ["CommitRecorder"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.65.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
    ],
    targets: [
        // The C API of Z3, found through pkg-config.
        .systemLibrary(
            name: "CZ3",
            pkgConfig: "z3",
            providers: [.apt(["libz3-dev"])]
        ),
        // The one lock type every target shares (a heap-allocated pthread mutex, like NIOLock).
        .target(name: "Locking"),
        // A small safe layer over CZ3: lifetimes, errors, timeouts, models, cores.
        .target(name: "Z3", dependencies: ["CZ3", "Locking"]),
        // The trace format `commitcheck/1`: events, keys, verdict names, errors, decoders and the line
        // writer. The bottom of the graph: the checker, the recorders and the proxy all share it.
        .target(name: "TraceFormat"),
        // The checker: parsing -> history -> constraints -> solving -> minimizing -> reporting.
        .target(name: "CommitCheck", dependencies: ["TraceFormat", "Locking", "Z3"]),
        // Register histories from Jepsen/Knossos and Porcupine: the linearizability engine opened to peers' data.
        .target(name: "RegisterHistories", dependencies: ["CommitCheck", "Z3"]),
        // A deterministic simulation of Sarama-style commit strategies, and the analysis of many runs.
        .target(name: "Simulation", dependencies: ["CommitCheck", "Locking", "Workloads"]),
        // One call that fails the current XCTest or Swift Testing test with the counterexample.
        .target(name: "CommitCheckTesting", dependencies: ["CommitCheck"]),
        // The in-process recorder for Swift clients: cheap, thread-safe, durable on flush. Only the format and the lock.
        .target(name: "CommitRecorder", dependencies: ["TraceFormat", "Locking"]),
        // Kafka's wire protocol: framing, headers, OffsetCommit/OffsetFetch, broker addresses.
        .target(name: "KafkaWire", dependencies: [.product(name: "NIOCore", package: "swift-nio")]),
        // Recording over the network: the trace collector clients stream to, and the Kafka recording proxy.
        .target(
            name: "Recording",
            dependencies: [
                "TraceFormat", "CommitRecorder", "KafkaWire",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // Generated workloads and the benchmark runner behind `commitcheck bench`.
        .target(name: "Workloads", dependencies: ["CommitRecorder"]),
        // The thin `commitcheck` executable.
        .executableTarget(
            name: "CommitCheckTool",
            dependencies: [
                "CommitCheck",
                "RegisterHistories",
                "Simulation",
                "Workloads",
                "CommitRecorder",
                "Recording",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        // What the tests share: the package's paths and the one runner of child processes. Not in a product.
        .target(
            name: "CommitCheckTestSupport",
            dependencies: [.product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Tests/CommitCheckTestSupport"
        ),
        .testTarget(name: "CommitCheckTestSupportTests", dependencies: ["CommitCheckTestSupport", "CommitCheckTool"]),
        .testTarget(name: "Z3Tests", dependencies: ["Z3"]),
        .testTarget(name: "SimulationTests", dependencies: ["Simulation", "CommitCheck", "CommitCheckTool", "CommitCheckTestSupport"]),
        .testTarget(
            name: "RegisterHistoriesTests",
            dependencies: ["RegisterHistories", "CommitCheck", "Workloads", "CommitCheckTool", "CommitCheckTestSupport"]
        ),
        .testTarget(name: "CommitCheckTestingTests", dependencies: ["CommitCheckTesting", "CommitCheck", "CommitCheckTestSupport"]),
        .testTarget(
            name: "CommitCheckTests",
            dependencies: ["CommitCheck", "Workloads", "CommitCheckTool", "CommitCheckTestSupport"],
            resources: []
        ),
        .testTarget(name: "CommitRecorderTests", dependencies: ["CommitRecorder", "CommitCheck"]),
        .testTarget(
            name: "KafkaWireTests",
            dependencies: ["KafkaWire", .product(name: "NIOCore", package: "swift-nio")]
        ),
        .testTarget(
            name: "RecordingTests",
            dependencies: [
                "Recording", "CommitCheck", "CommitRecorder", "KafkaWire", "Workloads", "CommitCheckTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ]
        ),
        // The HTML report, down to rendering it in headless Chromium.
        .testTarget(name: "HTMLReportTests", dependencies: ["CommitCheck", "CommitCheckTestSupport"]),
    ]
)
