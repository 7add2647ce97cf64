/// Max-min fair division of one capacity among claimants with individual limits ("water-filling").
///
/// Every claimant gets min(limit, level), with the level chosen so that the shares add up to the capacity,
/// or every claimant gets its full limit when the limits add up to less. This is how a sender shares its
/// upload among its transfers: nobody gets more than its receiver can take, and what one cannot use goes
/// to the others (work-conserving).
public enum WaterFilling {
    /// What a fill handed out, and whether every claimant got the equal share (capacity / n, exactly),
    /// no limit being below it.
    public struct Filling: Equatable, Sendable {
        public var given: Double
        public var equalShares: Bool
    }

    /// Fills `shares` (same count as `limits`) and returns the total handed out.
    /// `order` is scratch space, reused between calls to avoid allocating on the hot path.
    /// - Complexity: O(n) when no limit binds below the equal share, else O(n log n).
    @discardableResult
    public static func fill(capacity: Double, limits: [Double], shares: inout [Double], order: inout [Int32]) -> Double {
        let n = limits.count
        shares = Array(repeating: 0, count: n)
        if order.count < n { order = Array(repeating: 0, count: n) }
        return limits.withUnsafeBufferPointer { limits in
            shares.withUnsafeMutableBufferPointer { shares in
                order.withUnsafeMutableBufferPointer { order in
                    fill(capacity: capacity, limits: limits, shares: shares, order: order).given
                }
            }
        }
    }

    /// As above, on caller-owned buffers: `shares` and `order` hold at least `limits.count` elements (the
    /// network's rate allocation calls this millions of times and keeps its scratch space). Also says
    /// whether the equal split applied, which the network relies on to skip senders (`recompute`).
    @discardableResult
    public static func fill(capacity: Double, limits: UnsafeBufferPointer<Double>,
                            shares: UnsafeMutableBufferPointer<Double>, order: UnsafeMutableBufferPointer<Int32>) -> Filling {
        let n = limits.count
        guard n > 0 else { return Filling(given: 0, equalShares: true) }
        precondition(shares.count >= n && order.count >= n, "water-filling scratch too small")
        let equal = capacity / Double(n)
        var smallest = Double.infinity
        for limit in limits where limit < smallest { smallest = limit }
        if smallest >= equal {
            for i in 0..<n { shares[i] = equal }
            return Filling(given: capacity, equalShares: true)
        }
        // Ascending by limit, index as tie-breaker: a strict total order, so the result does not depend on
        // the sorting algorithm. Few claimants (a peer's transfers) are sorted by insertion.
        for i in 0..<n { order[i] = Int32(i) }
        let precedes = { (a: Int32, b: Int32) -> Bool in
            limits[Int(a)] < limits[Int(b)] || (limits[Int(a)] == limits[Int(b)] && a < b)
        }
        if n <= 32 {
            for i in 1..<n {
                let item = order[i]
                var j = i
                while j > 0, precedes(item, order[j - 1]) {
                    order[j] = order[j - 1]
                    j -= 1
                }
                order[j] = item
            }
        } else {
            var head = UnsafeMutableBufferPointer(rebasing: order[0..<n])
            head.sort(by: precedes)
        }
        var remaining = capacity
        var given = 0.0
        for position in 0..<n {
            let index = Int(order[position])
            let fair = remaining / Double(n - position)
            let share = min(limits[index], fair)
            shares[index] = share
            remaining -= share
            given += share
        }
        return Filling(given: given, equalShares: false)
    }
}
