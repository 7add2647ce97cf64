import Testing
@testable import ScenarioModel

@Suite struct UnitsTests {
    @Test(arguments: [
        ("100 MiB", 104_857_600.0), ("256KiB", 262_144), ("1.5 GB", 1.5e9), ("16 kB", 16_000), ("7 B", 7),
        ("1e3 B", 1000),
    ])
    func sizes(text: String, bytes: Double) {
        #expect(QuantityKind.size.parse(text) == .success(bytes))
    }

    @Test(arguments: [
        ("2 Mbps", 2e6), ("500 kbps", 5e5), ("1 Gbps", 1e9), ("1.5 MB/s", 12e6), ("1 KiB/s", 8192),
        ("2 MiB/s", 16_777_216), ("10 Mbit/s", 1e7), ("64 bps", 64),
    ])
    func rates(text: String, bps: Double) {
        #expect(QuantityKind.rate.parse(text) == .success(bps))
    }

    @Test(arguments: [("80 ms", 0.08), ("10 s", 10.0), ("2 min", 120), ("48 h", 172_800), ("1 d", 86_400), ("250 us", 0.00025)])
    func durations(text: String, seconds: Double) {
        #expect(QuantityKind.duration.parse(text) == .success(seconds))
    }

    @Test func unitsAreCaseSensitiveAndTyposGetASuggestion() {
        #expect(QuantityKind.rate.parse("2 MBps") == .failure(.notAQuantity(suggestion: "2 Mbps")))
        #expect(QuantityKind.size.parse("3 mib") == .failure(.notAQuantity(suggestion: "3 MiB")))
        #expect(QuantityKind.rate.parse("2 furlongs") == .failure(.notAQuantity(suggestion: nil)))
        #expect(QuantityKind.duration.parse("5") == .failure(.missingUnit))
        #expect(QuantityKind.duration.parse("-5 s") == .failure(.negative))
        #expect(QuantityKind.size.parse("MiB") == .failure(.notAQuantity(suggestion: nil)))
    }

    @Test func boundsFollowTheTextbook() {
        // Kurose & Ross's example: F/u = 1 hour, u_s = 10u, d_min >= u_s.
        let u = 1e6, f = Int64(u * 3600 / 8)
        for (n, dcs, dp2p) in [(10, 1.0, 0.5), (30, 3.0, 0.75), (100, 10.0, 100.0 / 110.0)] {
            let b = LowerBounds(fileBytes: f, serverUpload: 10 * u, peerUploads: Array(repeating: u, count: n),
                                peerDownloads: Array(repeating: 10 * u, count: n))
            #expect(abs(b.clientServer / 3600 - dcs) < 1e-9)
            #expect(abs(b.p2p / 3600 - dp2p) < 1e-9)
        }
    }
}
