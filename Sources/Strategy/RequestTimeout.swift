/// When requests a partner holds are given up: it has sent none of the blocks we asked for within
/// `timeout` of its last block (or of unchoking us, or of the connection, if it sent none). The blocks go
/// back to the picker for other partners, and the partner is *snubbing* us: one request at a time until
/// it sends again (`RequestPipeline`), and no regular slot from our choker (`LeecherChoker`'s
/// `snubTimeout`). libtorrent's `request_timeout` and snubbing; BEP 3 calls such a peer snubbing.
///
/// The simulator's peers always serve what they accepted, so only p2pclient meets it; it lives here so
/// the rule is written once, beside the chokers and the pipeline that depend on it.
public enum RequestTimeout {
    /// 60 s, libtorrent's default and BEP 3's snub time.
    public static let standard: Int64 = 60_000_000_000

    /// Whether the outstanding requests on a connection are overdue.
    public static func isOverdue(outstanding: Int, lastBlockAt: Int64?, unchokedUsAt: Int64?, connectedAt: Int64,
                                 now: Int64, timeout: Int64 = standard) -> Bool {
        guard outstanding > 0 else { return false }
        let since = max(lastBlockAt ?? connectedAt, unchokedUsAt ?? connectedAt)
        return now - since > timeout
    }
}
