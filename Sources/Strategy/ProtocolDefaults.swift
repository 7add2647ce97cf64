/// Every default of the protocol that both sides run, in one place: the simulator's scenario defaults
/// (`ProtocolSpec` in ScenarioModel) and p2pclient's (`ClientConfiguration`) read them from here, so a
/// scenario with default `protocol` settings models the real client. The settings types hold the rest:
/// `ChokeSettings.standard` (slots, rechoke and optimistic intervals, snubbing, slot expansion and
/// filling),
/// `RequestPipeline.standard` and `PeerSetUpkeep.Settings.standard`. docs/model.md tabulates them all,
/// with where the client departs and why.
public enum ProtocolDefaults {
    public static let choke = ChokeSettings.standard
    public static let pipeline = RequestPipeline.standard
    public static let upkeep = PeerSetUpkeep.Settings.standard
    /// Rarest first after a few random pieces (Cohen 2003; libtorrent's `initial_picker_threshold` 4).
    public static let piecePolicy = PiecePicker.Policy.rarestFirst
    public static let randomFirstPieces = 4
    public static let endgame = true
    public static let seedChoker = SeedChoker.Algorithm.roundRobin
    /// Requests a partner sat on this long go elsewhere, and the partner is snubbing us.
    public static let requestTimeout = RequestTimeout.standard
    /// Peers asked of the tracker (`numwant`; BEP 3's trackers answer up to 50).
    public static let trackerPeers = 50
    /// The regular announce, nanoseconds (trackers commonly say 30 min).
    public static let announceInterval: Int64 = 1_800_000_000_000
}
