import ScenarioModel
import SimulationEngine

/// The upload accounts of a p2p run gathered by group (the origin seed, each class, everyone), with what
/// left the swarm early: what summary.json and the end-of-run screen say about where the upload went.
public struct UploadAccountingSummary: Sendable {
    /// The summary.json key of the origin seed's group: a space, which no class name may contain.
    public static let originKey = "origin seed"
    public static let everyoneKey = "all nodes"

    /// (key, shares) in order: the origin, each class in scenario order, then everyone.
    public var groups: [(key: String, shares: UploadShares)]
    /// Every peer's shares together (the origin seed left out).
    public var peers: UploadShares
    /// Upload capacity × time that left with departed peers before the run ended, bit·ns (per class, in
    /// class order), and as a share of what D_p2p counts: every node's upload over the whole run.
    public var departed: [Int128]
    public var departedFraction: Double
    /// Per class: mean share of the file held at the end by the peers that never completed (nil: all did).
    public var incompleteHeld: [Double?]

    public init?(_ result: RunResult) {
        guard !result.uploadShares.isEmpty else { return nil }
        let population = result.population.peers
        let classes = result.population.classNames
        var perClass = [UploadShares](repeating: UploadShares(), count: classes.count)
        var allPeers = UploadShares()
        departed = Array(repeating: 0, count: classes.count)
        var held = [[Double]](repeating: [], count: classes.count)
        let start = population.map(\.arrival).min() ?? 0
        let span = Int128(max(0, result.endTime - start))
        var counted = Int128(result.population.server.upload.rounded()) * span
        for (i, peer) in population.enumerated() {
            perClass[peer.classIndex] += result.uploadShares[i + 1]
            allPeers += result.uploadShares[i + 1]
            let capacity = Int128(peer.upload.rounded())
            counted += capacity * span
            if let left = result.departure[i], left < result.endTime {
                departed[peer.classIndex] += capacity * Int128(result.endTime - left)
            }
            if result.completion[i] == nil, !result.piecesHeld.isEmpty {
                held[peer.classIndex].append(Double(result.piecesHeld[i]) / Double(result.scenario.file.pieceCount))
            }
        }
        var everyone = allPeers
        everyone += result.uploadShares[0]
        peers = allPeers
        groups = [(Self.originKey, result.uploadShares[0])] + zip(classes, perClass).map { ($0, $1) }
            + [(Self.everyoneKey, everyone)]
        departedFraction = counted > 0 ? Self.ratio(departed.reduce(0, +), counted) : 0
        incompleteHeld = held.map { $0.isEmpty ? nil : $0.reduce(0, +) / Double($0.count) }
    }

    /// a / b as a Double, for shares of exact totals.
    public static func ratio(_ a: Int128, _ b: Int128) -> Double { b == 0 ? 0 : Double(a) / Double(b) }

    /// The idle reasons of `shares` from the largest, as (reason, share of capacity), leaving out zeros.
    public static func largestIdle(_ shares: UploadShares) -> [(IdleReason, Double)] {
        IdleReason.allCases.map { ($0, ratio(shares[$0], shares.capacity)) }.filter { $0.1 > 0 }
            .sorted { $0.1 > $1.1 || ($0.1 == $1.1 && $0.0.rawValue < $1.0.rawValue) }
    }
}
