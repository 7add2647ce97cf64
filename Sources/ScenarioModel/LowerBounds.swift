/// The analytic lower bounds on distribution time (Kurose & Ross, "Computer Networking", P2P file distribution).
///
/// F is the file size in bits, N the number of peers, u_s the server's upload, u_i the peers' uploads and
/// d_min the smallest peer download. No schedule can do better, so a simulated time below these is a bug.
///   D_cs  = max(N·F/u_s, F/d_min)
///   D_p2p = max(F/u_s, F/d_min, N·F/(u_s + Σu_i))
/// Both assume every peer is present from time zero (a flash crowd).
public struct LowerBounds: Equatable, Sendable {
    public var clientServer: Double
    public var p2p: Double
    /// The terms, for explaining which one binds.
    public var serverTerm: Double  // N·F/u_s
    public var serverOneCopyTerm: Double  // F/u_s
    public var slowestDownloadTerm: Double  // F/d_min
    public var aggregateUploadTerm: Double  // N·F/(u_s + Σu_i)

    /// - Parameters: capacities in bits per second; `fileBytes` in bytes. Free-riders' uploads should be
    ///   passed as 0, since they upload nothing.
    public init(fileBytes: Int64, serverUpload: Double, peerUploads: [Double], peerDownloads: [Double]) {
        precondition(peerUploads.count == peerDownloads.count)
        let f = Double(fileBytes) * 8
        let n = Double(peerUploads.count)
        let dMin = peerDownloads.min() ?? .infinity
        serverTerm = n * f / serverUpload
        serverOneCopyTerm = f / serverUpload
        slowestDownloadTerm = f / dMin
        aggregateUploadTerm = n * f / (serverUpload + peerUploads.reduce(0, +))
        clientServer = max(serverTerm, slowestDownloadTerm)
        p2p = max(serverOneCopyTerm, slowestDownloadTerm, aggregateUploadTerm)
    }

    public func bound(for mode: Scenario.Mode) -> Double {
        mode == .clientServer ? clientServer : p2p
    }
}
