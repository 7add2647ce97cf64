import Foundation
import Testing
@testable import BitTorrentClient
import ScenarioModel
@testable import Simulator
import Strategy

/// p2psim's promise: the simulated peers and p2pclient decide through the same Strategy types, and no
/// strategy logic is written a second time on either side.
@Suite struct SharedStrategyTests {
    @Test func clientAndSimulatorHoldTheSameStrategyTypes() {
        // These key paths compile only while both sides keep their decisions in the Strategy module's types.
        let client: [PartialKeyPath<TorrentSession>] = [\.picker, \.rounds, \.leecherChoker, \.seedChoker]
        let simulator: [PartialKeyPath<SwarmSimulation>] = [\.pickers, \.chokeRounds, \.leecherChoker, \.seedChoker]
        let clientTypes = client.map { "\(type(of: $0).valueType)" }
        let simulatorTypes = simulator.map { "\(type(of: $0).valueType)" }
        #expect(clientTypes == ["PiecePicker", "ChokeRounds", "LeecherChoker", "SeedChoker"])
        #expect(simulatorTypes == ["AlignedTable<PiecePicker>", "Array<ChokeRounds>", "LeecherChoker", "SeedChoker"])
        #expect("\(type(of: \ClientConfiguration.pipeline).valueType)" == "RequestPipeline")
        // The peer-set upkeep: one rule, one set of defaults.
        #expect("\(type(of: \SwarmSimulation.upkeep).valueType)" == "PeerSetUpkeep")
        #expect("\(type(of: \ClientConfiguration.upkeep).valueType)" == "Settings")
        #expect(ClientConfiguration(peerID: Array(repeating: 0, count: 20)).upkeep == PeerSetUpkeep.Settings.standard)
        #expect(ScenarioModel.ProtocolSpec().upkeepSettings == PeerSetUpkeep.Settings.standard)
    }

    /// Only the Strategy module may define a picker, a choker or a decision over them.
    @Test func noOtherModuleDefinesAStrategy() throws {
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources")
        let declaration = try Regex(#"(struct|class|enum|protocol)\s+\w*(Choker|Picker|ChokeRounds|Upkeep)\b|func\s+(decide|pick|choosePiece|rarest)\b"#)
        var offenders: [String] = []
        var scanned = 0
        let files = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)
        while let url = files?.nextObject() as? URL {
            guard url.pathExtension == "swift" else { continue }
            scanned += 1
            let module = url.pathComponents[url.pathComponents.count - 2]
            guard module != "Strategy" else { continue }
            let text = try String(contentsOf: url, encoding: .utf8)
            for line in text.split(separator: "\n") where line.contains(declaration) && !line.trimmingCharacters(in: .whitespaces).hasPrefix("//") {
                offenders.append("\(module)/\(url.lastPathComponent): \(line)")
            }
        }
        #expect(scanned > 40)
        #expect(offenders.isEmpty, "\(offenders)")
    }
}
