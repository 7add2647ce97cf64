import Testing
@testable import Strategy

@Suite struct RequestPipelineTests {
    @Test func fixedPipelineIgnoresTheRate() {
        let fixed = RequestPipeline(minimum: 5)
        #expect(fixed.depth(receivingBytesPerSecond: 0, blockBytes: 16_384) == 5)
        #expect(fixed.depth(receivingBytesPerSecond: 10_000_000, blockBytes: 16_384) == 5)
    }

    @Test func adaptivePipelineKeepsQueueTimeOfDataRequested() {
        let adaptive = RequestPipeline(minimum: 5, queueTime: 3_000_000_000, maximum: 500)
        #expect(adaptive.depth(receivingBytesPerSecond: 0, blockBytes: 16_384) == 5)  // nothing measured yet
        #expect(adaptive.depth(receivingBytesPerSecond: 16_384, blockBytes: 16_384) == 5)  // 3 blocks < minimum
        #expect(adaptive.depth(receivingBytesPerSecond: 2_500_000, blockBytes: 16_384) == 458)  // 20 Mbps × 3 s
        #expect(adaptive.depth(receivingBytesPerSecond: 1e9, blockBytes: 16_384) == 500)  // capped
    }
}
