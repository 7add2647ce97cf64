import Foundation
import ScenarioModel
import Testing
@testable import Simulator

/// The lesson p2psim exists to teach: on the same crowd, a swarm is never slower than a server sending
/// every copy. The quickstart's capacities and latencies (a 100 Mbps seed, peers 2 Mbps up and 20 Mbps
/// down, 10-80 ms away, 50 MiB) with the protocol defaults: at N ≤ 5 both are bound by the peers'
/// download and the swarm pays only its extra messages (the announce and the unchoke, three latencies);
/// above, the seed serves everyone at once (a seed's slots follow its rate, `UploadSlots`) and the peers
/// add their upload. plots-scripts/p2p_vs_cs_quickstart.py sweeps N = 2 … 300 (docs/model.md).
@Suite struct P2PAgainstClientServerTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func quickstart(_ file: String, peers: Int) throws -> Scenario {
        let text = try String(contentsOf: root.appendingPathComponent("scenarios/\(file)"), encoding: .utf8)
        var object = try #require(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        var classes = try #require(object["peers"] as? [[String: Any]])
        classes[0]["count"] = peers
        object["peers"] = classes
        let edited = String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
        switch ScenarioLoader.load(text: edited, path: file, baseDirectory: nil) {
        case .success(let s): return s
        case .failure(let error): throw ScenarioFailure(lines: ["\(error)"])
        }
    }

    @Test(arguments: [2, 5, 7, 12, 30])
    func theSwarmIsNeverSlowerThanClientServerByMoreThanTwoPercent(peers: Int) throws {
        let p2p = SwarmSimulation(scenario: try Self.quickstart("quickstart.json", peers: peers)).run()
        let cs = ClientServerSimulation(scenario: try Self.quickstart("quickstart-cs.json", peers: peers)).run()
        let swarm = try #require(p2p.distributionTime), server = try #require(cs.distributionTime)
        let bound = try #require(p2p.lowerBound)
        #expect(swarm <= server * 1.02, "N=\(peers): P2P \(swarm) s against client-server \(server) s")
        #expect(swarm >= bound, "N=\(peers): faster than D_p2p")
    }
}
