import TestSupport
import Testing
@testable import WireProtocol

func b(_ s: String) -> [UInt8] { Array(s.utf8) }

@Suite struct BencodeTests {
    @Test func decodesTheFourKinds() throws {
        #expect(try BencodeDecoder.decode(b("i42e")) == .integer(42))
        #expect(try BencodeDecoder.decode(b("i-7e")) == .integer(-7))
        #expect(try BencodeDecoder.decode(b("i0e")) == .integer(0))
        #expect(try BencodeDecoder.decode(b("4:spam")) == .string("spam"))
        #expect(try BencodeDecoder.decode(b("0:")) == .bytes([]))
        #expect(try BencodeDecoder.decode(b("l4:spami3ee")) == .list([.string("spam"), .integer(3)]))
        let d = try BencodeDecoder.decode(b("d3:cow3:moo4:spaml1:a1:bee"))
        #expect(d["cow"] == .string("moo"))
        #expect(d["spam"] == .list([.string("a"), .string("b")]))
    }

    @Test(arguments: [
        ("i03e", BencodeError.Reason.leadingZero), ("i-0e", .negativeZero), ("03:abc", .leadingZero),
        ("ie", .unexpectedByte(UInt8(ascii: "e"))), ("i12", .unexpectedEnd), ("5:abc", .lengthPastEnd),
        ("99999999999999999999:x", .integerOverflow), ("d1:bi1e1:ai2ee", .unsortedKeys),
        ("d1:ai1e1:ai2ee", .duplicateKey), ("i1ei2e", .trailingBytes), ("l", .unexpectedEnd),
        ("di1ei2ee", .unexpectedByte(UInt8(ascii: "i"))), ("x", .unexpectedByte(UInt8(ascii: "x"))),
        ("i9223372036854775808e", .integerOverflow), ("", .unexpectedEnd),
    ])
    func refusesNonCanonicalOrBrokenInput(input: String, reason: BencodeError.Reason) {
        #expect(throws: BencodeError.self) { try BencodeDecoder.decode(b(input)) }
        do {
            _ = try BencodeDecoder.decode(b(input))
        } catch {
            #expect(error.reason == reason, "\(input)")
        }
    }

    @Test func refusesDeepNesting() {
        let deep = String(repeating: "l", count: 100) + String(repeating: "e", count: 100)
        #expect(throws: BencodeError(reason: .tooDeep, offset: 64)) { try BencodeDecoder.decode(b(deep)) }
        let fine = String(repeating: "l", count: 60) + String(repeating: "e", count: 60)
        #expect(throws: Never.self) { try BencodeDecoder.decode(b(fine)) }
    }

    @Test func encodingIsCanonicalAndRoundTrips() throws {
        let value = BValue.dictionary([
            (b("zeta"), .integer(-3)), (b("alpha"), .list([.bytes([0, 255, 10]), .integer(0)])),
        ])
        let bytes = BencodeEncoder.encode(value)
        #expect(String(decoding: bytes, as: UTF8.self).hasPrefix("d5:alphal3:"))
        let back = try BencodeDecoder.decode(bytes)
        #expect(back["zeta"] == .integer(-3))
        #expect(BencodeEncoder.encode(back) == bytes)
    }

    @Test func randomBytesNeverCrashTheDecoder() {
        // A poor man's fuzzer (the libFuzzer target is the thorough one): mutations of valid bencode.
        var rng = SplitMix64(seed: 9)
        let seeds = [b("d4:infod4:name1:a12:piece lengthi16384e6:pieces20:aaaaaaaaaaaaaaaaaaaaee"), b("l4:spami3ee")]
        var decoded = 0
        for round in 0..<20_000 {
            var input = seeds[round % 2]
            for _ in 0..<Int(rng.next() % 4 + 1) {
                let i = Int(rng.next() % UInt64(input.count))
                switch rng.next() % 3 {
                case 0: input[i] = UInt8(truncatingIfNeeded: rng.next())
                case 1: input.remove(at: i)
                default: input.insert(UInt8(truncatingIfNeeded: rng.next()), at: i)
                }
                if input.isEmpty { input = [0] }
            }
            if (try? BencodeDecoder.decode(input)) != nil { decoded += 1 }
        }
        #expect(decoded < 20_000)  // most mutations are refused, and none trapped
    }
}

