/// How many block requests to keep outstanding on one connection.
///
/// A fixed pipeline (Cohen's client: 5) caps a connection at pipeline × block / round-trip time, which
/// starves fast links with long latencies. libtorrent instead keeps `queueTime` worth of data requested at
/// the connection's measured download rate (`request_queue_time`, 3 s by default). With `queueTime` 0 the
/// pipeline is fixed at `minimum`.
public struct RequestPipeline: Sendable, Equatable {
    /// libtorrent's: 3 s of data at the connection's rate, at least 5 blocks, at most 500. A fixed
    /// pipeline of 5 holds a 20 Mbps link with 80 ms of latency to a fifth of its rate (docs/model.md).
    public static let standard = RequestPipeline(minimum: 5, queueTime: 3_000_000_000, maximum: 500)

    public var minimum: Int
    /// Nanoseconds of data to keep requested; 0 for a fixed pipeline.
    public var queueTime: Int64
    public var maximum: Int

    public init(minimum: Int = 5, queueTime: Int64 = 0, maximum: Int = 500) {
        self.minimum = minimum
        self.queueTime = queueTime
        self.maximum = max(minimum, maximum)
    }

    /// The number of requests to keep outstanding on a connection whose deliveries are in `received`: one
    /// if the partner is snubbing us (it sat on our requests for the request timeout, see
    /// `RequestTimeout`: more would only wait there too, libtorrent's rule), else sized from the rate the
    /// window measured.
    public func depth(received: TransferWindow, now: Int64, windowStart: Int64, connectedAt: Int64,
                      snubbed: Bool = false, blockBytes: Int) -> Int {
        if snubbed { return 1 }
        guard queueTime > 0 else { return minimum }
        let rate = received.deliveredRate(now: now, windowStart: windowStart, connectedAt: connectedAt)
        return depth(receivingBytesPerSecond: rate, blockBytes: blockBytes)
    }

    /// The number of requests to keep outstanding on a connection receiving `bytesPerSecond`.
    public func depth(receivingBytesPerSecond rate: Double, blockBytes: Int) -> Int {
        guard queueTime > 0, rate > 0 else { return minimum }
        let wanted = (rate * Double(queueTime) / 1e9 / Double(blockBytes)).rounded(.up)
        return Int(min(Double(maximum), max(Double(minimum), wanted)))
    }
}
