/// Max-min fair division of one capacity among claimants with individual limits ("water-filling").
///
/// Every claimant gets min(limit, level), with the level chosen so that the shares add up to the capacity,
/// or every claimant gets its full limit when the limits add up to less. This is how a sender shares its
/// upload among its transfers: nobody gets more than its receiver can take, and what one cannot use goes
/// to the others (work-conserving).
public enum WaterFilling {
    /// Fills `shares` (same count as `limits`) and returns the total handed out.
    /// `order` is scratch space, reused between calls to avoid allocating on the hot path.
    /// - Complexity: O(n) when no limit binds below the equal share, else O(n log n).
    @discardableResult
    public static func fill(capacity: Double, limits: [Double], shares: inout [Double], order: inout [Int32]) -> Double {
        let n = limits.count
        shares.removeAll(keepingCapacity: true)
        guard n > 0 else { return 0 }
        let equal = capacity / Double(n)
        var smallest = Double.infinity
        for limit in limits where limit < smallest { smallest = limit }
        if smallest >= equal {
            shares.append(contentsOf: repeatElement(equal, count: n))
            return capacity
        }
        shares.append(contentsOf: repeatElement(0, count: n))
        order.removeAll(keepingCapacity: true)
        order.append(contentsOf: 0..<Int32(n))
        // Sort by limit, index as tie-breaker: the result must not depend on the sort's stability.
        order.sort { limits[Int($0)] < limits[Int($1)] || (limits[Int($0)] == limits[Int($1)] && $0 < $1) }
        var remaining = capacity
        var given = 0.0
        for (position, index) in order.enumerated() {
            let fair = remaining / Double(n - position)
            let share = min(limits[Int(index)], fair)
            shares[Int(index)] = share
            remaining -= share
            given += share
        }
        return given
    }
}
