// A libFuzzer target for the decoders that read untrusted bytes: bencode, metainfo, tracker replies,
// the handshake and the peer message stream, whose messages also drive a PeerConnectionStateMachine. Each must return or throw, never trap or grow without bound.
//
// Fuzz (Linux):  swift build -c release --product FuzzWireProtocol -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING
//                .build/release/FuzzWireProtocol -max_total_time=60 corpus/
// Replay files:  swift run FuzzWireProtocol FILE...   (without -DFUZZING: feeds each file to the same entry point)
import Foundation
import Strategy
import WireProtocol

/// Feeds one input to every decoder.
func fuzzOne(_ bytes: [UInt8]) {
    _ = try? BencodeDecoder.decode(bytes)
    _ = try? Metainfo(bytes: bytes)
    _ = try? AnnounceReply.parse(bytes)
    _ = try? Handshake.decode(bytes[...])
    var decoder = PeerMessageDecoder(pieceCount: 1000)
    let layout = PieceLayout(totalBytes: 1000 * 32_768 - 5, pieceBytes: 32_768, blockBytes: 16_384)
    var connection = PeerConnectionStateMachine(layout: layout, infoHash: Array(repeating: 0, count: 20))
    _ = connection.handshakeReceived(Handshake(infoHash: Array(repeating: 0, count: 20), peerID: Array(repeating: 0, count: 20)))
    _ = connection.setChoking(false)
    // Split the input in two at a point chosen by its first byte, to exercise partial frames.
    let cut = bytes.isEmpty ? 0 : Int(bytes[0]) % (bytes.count + 1)
    for part in [bytes[..<cut], bytes[cut...]] {
        decoder.append(part)
        while let message = try? decoder.next() {
            if case .bitfield(let bits) = message { _ = try? PieceBitfield(wireBytes: bits, pieceCount: 1000) }
            _ = connection.messageReceived(message)
        }
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    fuzzOne(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}

#if FUZZING
// SwiftPM links an executable's entry point as `<Target>_main`; under -DFUZZING it hands control to
// libFuzzer's driver (so libFuzzer's own main is never linked in).
@_silgen_name("LLVMFuzzerRunDriver")
func llvmFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

@_cdecl("FuzzWireProtocol_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var vector = argv
    return llvmFuzzerRunDriver(&count, &vector, fuzzerTestOneInput)
}
#else
@main
struct ReplayCorpus {
    static func main() {
        let files = CommandLine.arguments.dropFirst()
        if files.isEmpty {
            print("usage: FuzzWireProtocol FILE... (replays inputs; build with -sanitize=fuzzer -DFUZZING to fuzz)")
            return
        }
        for file in files {
            guard let data = FileManager.default.contents(atPath: file) else {
                print("\(file): cannot read")
                continue
            }
            fuzzOne(Array(data))
            print("\(file): ok")
        }
    }
}
#endif
