import Testing
@testable import BitTorrentClient

@Suite struct TokenBucketTests {
    let second: Int64 = 1_000_000_000

    @Test func startsFullAndRefillsAtItsRate() {
        var bucket = TokenBucket(rate: 100_000, burst: 50_000, now: 0)
        #expect(bucket.delay(for: 50_000, now: 0) == 0)
        #expect(bucket.take(50_000, now: 0) == 0)
        // Empty: 16 KiB needs 0.16384 s of refill at 100 kB/s.
        #expect(bucket.delay(for: 16_384, now: 0) == 163_840_000)
        #expect(bucket.delay(for: 16_384, now: 163_840_000) == 0)
    }

    @Test func debtIsRepaidBeforeMoreMayPass() {
        var bucket = TokenBucket(rate: 1_000, burst: 1_000, now: 0)
        #expect(bucket.take(3_000, now: 0) == 2 * second)  // 2,000 bytes of debt at 1,000 bytes/s
        #expect(bucket.delay(for: 1, now: second) > 0)
        #expect(bucket.delay(for: 1, now: 2 * second + 1_000_000) == 0)
    }

    @Test func savingsNeverExceedTheBurst() {
        var bucket = TokenBucket(rate: 1_000, burst: 2_000, now: 0)
        _ = bucket.take(2_000, now: 0)
        _ = bucket.delay(for: 0, now: 3_600 * second)  // an hour idle
        #expect(bucket.tokens == 2_000)
    }

    /// Over a long run the bytes let through stay within rate × time + burst, whatever the request sizes.
    @Test func longRunThroughputIsTheRate() {
        var bucket = TokenBucket(rate: 1_048_576, now: 0)
        var now: Int64 = 0
        var sent = 0
        let sizes = [16_384, 1_000, 16_384, 7, 16_384, 300]
        var i = 0
        while now < 10 * second {
            let size = sizes[i % sizes.count]
            now += bucket.delay(for: size, now: now)
            bucket.take(size, now: now)
            sent += size
            i += 1
        }
        let allowed = 1_048_576.0 * Double(now) / 1e9 + bucket.burst
        #expect(Double(sent) <= allowed + 16_384)
        #expect(Double(sent) >= 0.95 * 1_048_576.0 * Double(now) / 1e9)
    }
}
