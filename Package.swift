// swift-tools-version: 6.0
// phasecast: how many prefill GPUs and how many decode GPUs, and when.
import Foundation
import PackageDescription

let package = Package(
    name: "phasecast",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "phasecast", targets: ["phasecast"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0")
    ],
    targets: [
        // C libraries of the system. Nothing but Store and Extract imports them.
        .systemLibrary(
            name: "CSQLite", path: "Sources/CSQLite", pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(
            name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]),

        // Schemas/ and Pipelines/ compiled into the binary, so that it runs from anywhere.
        .executableTarget(name: "EmbedResources", path: "Sources/EmbedResources"),
        .plugin(
            name: "EmbedResourcesPlugin", capability: .buildTool(),
            dependencies: ["EmbedResources"], path: "Sources/EmbedResourcesPlugin"),
        .target(
            name: "PhasecastResources", path: "Sources/PhasecastResources",
            plugins: ["EmbedResourcesPlugin"]),

        // Stage modules; arrows point down this list only.
        .target(name: "PhasecastCore"),
        .target(name: "Extract", dependencies: ["PhasecastCore", "CZlib"]),
        .target(name: "LogFormats", dependencies: ["PhasecastCore"]),
        .target(name: "Store", dependencies: ["PhasecastCore", "PhasecastResources", "CSQLite"]),
        .target(name: "Ingest", dependencies: ["PhasecastCore", "Extract", "LogFormats", "Store"]),
        .target(name: "Transform", dependencies: ["PhasecastCore", "PhasecastResources", "Store"]),
        .target(name: "CostModel", dependencies: ["PhasecastCore", "PhasecastResources", "CZlib"]),
        .target(name: "Forecasting", dependencies: ["PhasecastCore"]),
        .target(name: "Planning", dependencies: ["PhasecastCore", "CostModel"]),
        .target(name: "Reporting", dependencies: ["PhasecastCore", "Planning"]),
        .target(name: "Synth", dependencies: ["PhasecastCore", "Extract"]),
        .target(name: "Pipeline", dependencies: ["PhasecastCore"]),
        // The database side of each stage and the pipeline runner: read marts, call the pure
        // modules, write results.
        .target(
            name: "Stages",
            dependencies: [
                "PhasecastCore", "Extract", "LogFormats", "Store", "Ingest", "Transform", "CostModel", "Forecasting",
                "Planning", "Reporting", "Pipeline", "Synth",
            ]),
        .target(
            name: "PhasecastCLI",
            dependencies: [
                "PhasecastCore", "LogFormats", "Store", "Ingest", "Transform", "CostModel", "Forecasting", "Reporting",
                "Pipeline", "Stages", "Synth",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .executableTarget(name: "phasecast", dependencies: ["PhasecastCLI"]),
        // `make bench`: ingest speed against gzip and the C baseline; not shipped.
        .executableTarget(
            name: "phasecast-bench",
            dependencies: [
                "ChildProcess", "PhasecastCore", "CostModel", "Stages", "Store", "Synth", "Transform",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/PhasecastBench"),
        // `make faults`: kill -9 trials, concurrent writers and readers, a full disk, hostile
        // inputs and peak memory, against the real binary; not shipped.
        .executableTarget(
            name: "phasecast-faults",
            dependencies: [
                "ChildProcess", "Extract", "PhasecastCore", "Store", "Synth",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/PhasecastFaults"),
        // Running and measuring a child process (wall, CPU, peak RSS), for the bench and the faults.
        .target(name: "ChildProcess"),

        // Helpers shared by the test targets: temporary directories, fixtures, running the binary.
        .target(name: "TestSupport", dependencies: ["Extract"], path: "Tests/TestSupport"),
        .testTarget(name: "PhasecastCoreTests", dependencies: ["PhasecastCore"]),
        .testTarget(name: "ExtractTests", dependencies: ["Extract", "TestSupport"]),
        .testTarget(name: "LogFormatsTests", dependencies: ["LogFormats"]),
        .testTarget(name: "StoreTests", dependencies: ["Store", "PhasecastCore", "TestSupport"]),
        .testTarget(
            name: "TransformTests", dependencies: ["Transform", "Store", "Ingest", "PhasecastCore", "TestSupport"]),
        .testTarget(name: "CostModelTests", dependencies: ["CostModel", "TestSupport"]),
        .testTarget(name: "ReportingTests", dependencies: ["Reporting", "Planning"]),
        .testTarget(name: "ForecastingTests", dependencies: ["Forecasting"]),
        .testTarget(name: "PlanningTests", dependencies: ["Planning", "CostModel"]),
        .testTarget(name: "PipelineTests", dependencies: ["Pipeline"]),
        .testTarget(name: "SynthTests", dependencies: ["Synth", "PhasecastCore", "Extract", "TestSupport"]),
        .testTarget(
            name: "StagesTests",
            dependencies: [
                "Stages", "Store", "Ingest", "Extract", "Pipeline", "Planning", "CostModel", "Synth", "TestSupport",
            ]),
        .testTarget(
            name: "IngestTests", dependencies: ["Ingest", "Store", "Extract", "LogFormats", "TestSupport"]),
        .testTarget(
            name: "EndToEndTests", dependencies: ["phasecast", "Store", "Ingest", "TestSupport"],
            // Run by the DuckDB test with Python, not compiled.
            exclude: ["duckdb_views.py"]),
    ]
)

// `make fuzz`: libFuzzer targets, in the package only when PHASECAST_FUZZ is set (make fuzz sets
// it and builds in its own folder): they and the modules they drive are compiled with
// libFuzzer's coverage instrumentation and AddressSanitizer; libFuzzer provides the entry point.
if ProcessInfo.processInfo.environment["PHASECAST_FUZZ"] != nil {
    let sanitizers = "-sanitize=fuzzer,address"
    for target in package.targets where ["PhasecastCore", "LogFormats", "Pipeline", "CostModel"].contains(target.name) {
        target.swiftSettings = (target.swiftSettings ?? []) + [.unsafeFlags([sanitizers])]
    }
    let fuzzTargets: [(name: String, modules: [Target.Dependency])] = [
        ("FuzzLogFormats", ["LogFormats", "PhasecastCore"]), ("FuzzPipeline", ["Pipeline"]),
        ("FuzzMeasuredProfile", ["CostModel"]), ("FuzzLengthHistogram", ["PhasecastCore"]),
    ]
    package.targets.append(
        .target(name: "FuzzSupport", swiftSettings: [.unsafeFlags([sanitizers])]))
    for (name, modules) in fuzzTargets {
        package.targets.append(
            .executableTarget(
                name: name, dependencies: modules + ["FuzzSupport"],
                swiftSettings: [.unsafeFlags([sanitizers, "-parse-as-library"])],
                linkerSettings: [.unsafeFlags([sanitizers])]))
    }
}
