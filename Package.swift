// swift-tools-version:6.0
// p2psim: a deterministic discrete-event simulator of file distribution (client-server and BitTorrent).
//
// Modules, one concern each (dependencies point down this list, never up):
//   p2psim            the executable: just calls P2PSimCLI
//   p2pclient         the real BitTorrent client's command line: create, info, get, seed
//   P2PSimCLI         command-line commands (run, validate, bounds); the only place that reads the wall clock
//   Simulator         turns a Scenario into a run of the engine and writes results
//   SimulationEngine  clock, event queue, flow-level network model, rate meters; knows no scenario
//   ScenarioModel     the scenario file: JSON parsing, units, validation with JSON paths, analytic bounds
//   Strategy          pure BitTorrent strategies (bitfield, availability, picker, chokers and their rounds, pipeline); no I/O, no clock
//   WireProtocol      BitTorrent formats as pure codecs: bencode, metainfo and info-hash, handshake, messages
//   BitTorrentClient  the real client's contact with the world: storage, tracker, SwiftNIO peer connections
//   Randomness        seeded GSL generators, per-purpose streams and value distributions
//   CGSL              the system library GSL, through pkg-config
//   CPrefetch         one C inline function: a cache prefetch hint (SimulationEngine and Simulator use it)
import PackageDescription

/// Opt-in: `P2PSIM_TARGET_CPU=native swift build -c release` (or a processor name LLVM knows, such as
/// `haswell`) compiles the hot modules for that processor: popcount becomes one instruction, for the
/// bitfields and availability counts among others. A few percent faster on a 200-peer swarm, within
/// the noise at 10,000 peers, where waiting for memory dominates (docs/performance.md). Off by default,
/// as such a binary may not run on an older processor. The results are byte-identical either way.
let targetCPU: [String] = Context.environment["P2PSIM_TARGET_CPU"].map { ["-target-cpu", $0] } ?? []

/// Release builds of the hot modules: specialize generics across modules (the event type flows from
/// Simulator into SimulationEngine and Strategy) and drop the dynamic exclusivity checks on class
/// properties, which cost a fifth of the run time. Debug builds keep every check.
let fast: [SwiftSetting] = [
    .unsafeFlags(["-cross-module-optimization", "-enforce-exclusivity=unchecked"] + targetCPU,
                 .when(configuration: .release))
]

let package = Package(
    name: "p2psim",
    products: [
        .executable(name: "p2psim", targets: ["p2psim"]),
        .executable(name: "p2pclient", targets: ["p2pclient"]),
        .library(name: "Strategy", targets: ["Strategy"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.1.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CGSL",
            pkgConfig: "gsl",
            providers: [.apt(["libgsl-dev"])]
        ),
        .target(name: "CPrefetch"),
        .target(name: "Randomness", dependencies: ["CGSL"], swiftSettings: fast),
        .target(name: "Strategy", swiftSettings: fast),
        .target(name: "ScenarioModel", dependencies: ["Randomness", "Strategy"]),
        .target(name: "WireProtocol", dependencies: ["Strategy", .product(name: "Crypto", package: "swift-crypto")]),
        .target(
            name: "BitTorrentClient",
            dependencies: [
                "WireProtocol", "Strategy",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .target(
            name: "SimulationEngine",
            dependencies: ["CPrefetch", .product(name: "DequeModule", package: "swift-collections")],
            swiftSettings: [.define("P2PSIM_INVARIANTS", .when(configuration: .debug))] + fast
        ),
        .target(
            name: "Simulator",
            dependencies: ["ScenarioModel", "SimulationEngine", "Strategy", "Randomness", "CPrefetch",
                           .product(name: "DequeModule", package: "swift-collections")],
            swiftSettings: fast
        ),
        .target(
            name: "P2PSimCLI",
            dependencies: [
                "Simulator", "ScenarioModel",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "p2psim", dependencies: ["P2PSimCLI"]),
        // libFuzzer target over every decoder of untrusted bytes (see the file's header for the commands).
        .executableTarget(name: "FuzzWireProtocol", dependencies: ["WireProtocol", "Strategy"]),
        .executableTarget(
            name: "p2pclient",
            dependencies: [
                "BitTorrentClient", "WireProtocol", "Strategy",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "RandomnessTests", dependencies: ["Randomness", "CGSL"]),
        .testTarget(name: "ScenarioModelTests", dependencies: ["ScenarioModel", "Randomness"]),
        .testTarget(name: "StrategyTests", dependencies: ["Strategy", "TestSupport"]),
        .testTarget(name: "SimulationEngineTests", dependencies: ["SimulationEngine", "TestSupport"]),
        .testTarget(name: "SimulatorTests", dependencies: ["Simulator", "ScenarioModel"]),
        .testTarget(name: "P2PSimCLITests", dependencies: ["P2PSimCLI", "p2psim", "TestSupport"]),
        .testTarget(name: "WireProtocolTests", dependencies: ["WireProtocol", "Strategy", "TestSupport"]),
        // Against real BitTorrent software (opentracker, libtorrent, aria2, mktorrent); .ci/run installs them.
        .testTarget(
            name: "InteropTests",
            dependencies: [
                "p2pclient", "BitTorrentClient", "WireProtocol", "TestSupport",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            exclude: ["Scripts"]
        ),
        .testTarget(
            name: "BitTorrentClientTests",
            dependencies: [
                "BitTorrentClient", "WireProtocol", "Strategy", "Simulator", "ScenarioModel", "TestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
    ]
)
