import Foundation
import NIOCore
import PropertyBased
import Testing
import TroupeWire

/// Random and mutated input: the decoder must only ever return a frame, return nil or throw a
/// ``WireError``, and never trap. Seeded; set `TROUPE_WIRE_FUZZ_SEED` to replay a printed seed.
@Suite struct FuzzTests {
    static func seed(_ test: String) -> UInt64 {
        let seed =
            ProcessInfo.processInfo.environment["TROUPE_WIRE_FUZZ_SEED"].flatMap { UInt64($0) }
            ?? UInt64.random(in: 0...UInt64.max)
        print("FuzzTests.\(test): seed \(seed) (replay with TROUPE_WIRE_FUZZ_SEED=\(seed))")
        return seed
    }

    @Test func randomBytes() {
        var rng = SplitMix64(seed: Self.seed("randomBytes"))
        var stats = Stats()
        for _ in 0..<20_000 {
            var bytes = (0..<Int.random(in: 0...300, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            if Bool.random(using: &rng) {
                // A plausible header, so the input gets past the magic, version and length checks.
                let version: UInt8 = [0x10, 0x10, 0x11, 0x1F, 0x20].randomElement(using: &rng)!
                let type =
                    UInt8.random(in: 0...0x10, using: &rng) | (Int.random(in: 0..<8, using: &rng) == 0 ? 0x70 : 0)
                if type == 0x03 || type == 0x04 || type == 0x07 {
                    // Fixed-size bodies (PING, PONG, UNSUBSCRIBE): random bytes of the right length are valid.
                    bytes = Array(bytes.prefix(type == 0x07 ? 8 : 16))
                }
                var frame = rawFrame(version: version, type: type, body: bytes)
                if Int.random(in: 0..<8, using: &rng) == 0 { frame[frame.count - 1] ^= 0xFF }
                bytes = frame
            }
            exercise(bytes, stats: &stats)
        }
        print("FuzzTests.randomBytes: \(stats)")
        #expect(stats.errors > 0 && stats.frames > 0)
    }

    @Test func mutatedFrames() {
        let seed = Self.seed("mutatedFrames")
        var rng = SplitMix64(seed: seed)
        let corpus = Self.corpus(seed: seed)
        var stats = Stats()
        for _ in 0..<20_000 {
            var bytes = corpus.randomElement(using: &rng)!
            switch Int.random(in: 0..<6, using: &rng) {
            case 0, 1:  // flip a body byte, recompute the CRC: exercises body validation
                if bytes.count > 14 {
                    bytes[Int.random(in: 10..<(bytes.count - 4), using: &rng)] = UInt8.random(in: 0...255, using: &rng)
                    bytes = fixingChecksum(bytes)
                }
            case 2:  // flip any byte, CRC left as it is
                bytes[Int.random(in: 0..<bytes.count, using: &rng)] ^= UInt8.random(in: 1...255, using: &rng)
            case 3:  // truncate the body (declared length adjusted), CRC recomputed
                let cut = Int.random(in: 0...max(0, bytes.count - 14), using: &rng)
                bytes = Self.resized(bytes, removing: cut, adding: [])
            case 4:  // extend the body, CRC recomputed
                let extra = (0..<Int.random(in: 1...8, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
                bytes = Self.resized(bytes, removing: 0, adding: extra)
            default:  // cut the stream anywhere, or append garbage after the frame
                if Bool.random(using: &rng) {
                    bytes = Array(bytes.prefix(Int.random(in: 0...bytes.count, using: &rng)))
                } else {
                    bytes += (0..<Int.random(in: 1...20, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng)
                    }
                }
            }
            exercise(bytes, stats: &stats)
        }
        print("FuzzTests.mutatedFrames: \(stats)")
        #expect(stats.errors > 0 && stats.frames > 0)
    }

    struct Stats: CustomStringConvertible {
        var frames = 0, incomplete = 0, errors = 0, skipped = 0
        var codes: [UInt16: Int] = [:]
        var description: String {
            "\(frames) frames, \(incomplete) incomplete, \(skipped) skipped, \(errors) errors "
                + codes.sorted { $0.key < $1.key }.map { "\(WireError.Code(rawValue: $0.key)): \($0.value)" }.joined(
                    separator: ", ")
        }
    }

    /// Decodes until nil or an error, checking the decoder's contract on every call.
    func exercise(_ bytes: [UInt8], stats: inout Stats) {
        var codec = FrameCodec()
        var buffer = ByteBuffer(bytes: bytes)
        for _ in 0..<64 {
            let before = buffer.readableBytes
            let skippedBefore = codec.skippedFrameCount
            do {
                guard let frame = try codec.decode(from: &buffer) else {
                    if codec.skippedFrameCount == skippedBefore {
                        #expect(buffer.readableBytes == before, "nil must consume nothing")
                    }
                    stats.incomplete += 1
                    stats.skipped += codec.skippedFrameCount - skippedBefore
                    return
                }
                stats.frames += 1
                #expect(buffer.readableBytes <= before - 14)
                // Whatever was accepted must survive a round trip.
                var again = try FrameCodec().encode(frame)
                var fresh = FrameCodec()
                #expect(try fresh.decode(from: &again) == frame)
            } catch {
                stats.errors += 1
                stats.codes[error.code.rawValue, default: 0] += 1
                #expect(error.offset != nil, "decoding errors carry an offset: \(error)")
                return
            }
        }
    }

    /// Replaces the body of `frame` by dropping `removing` bytes from its end and appending
    /// `adding`, then fixes the declared length and the CRC.
    static func resized(_ frame: [UInt8], removing: Int, adding: [UInt8]) -> [UInt8] {
        guard frame.count >= 14 else { return frame }
        let body = Array(frame[10..<(frame.count - 4)].dropLast(removing)) + adding
        return rawFrame(version: frame[3], type: frame[4], flags: frame[5], body: body)
    }

    /// Valid encodings of frames of every type, kept small so each mutation is cheap.
    static func corpus(seed: UInt64) -> [[UInt8]] {
        var rng = Xoshiro(seed: (seed, seed ^ 0x5_DEEC_E66D, ~seed, 0x9E37_79B9))
        var frames: [Frame] = Array(SpecExampleTests.expected.values)
        for _ in 0..<20 {
            frames.append(WireGen.hello.run(using: &rng))
            frames.append(WireGen.welcome.run(using: &rng))
            frames.append(.ping(WireGen.heartbeat.run(using: &rng)))
            frames.append(.pong(WireGen.heartbeat.run(using: &rng)))
            frames.append(WireGen.members.run(using: &rng))
            frames.append(WireGen.subscribe.run(using: &rng))
            frames.append(WireGen.unsubscribe.run(using: &rng))
            frames.append(WireGen.event.run(using: &rng))
            frames.append(WireGen.ack.run(using: &rng))
            frames.append(WireGen.nack.run(using: &rng))
            frames.append(WireGen.control.run(using: &rng))
            frames.append(WireGen.controlReply.run(using: &rng))
            frames.append(WireGen.goodbye.run(using: &rng))
            frames.append(WireGen.error.run(using: &rng))
        }
        return frames.compactMap { frame in
            guard let bytes = try? FrameCodec().encode(frame), bytes.readableBytes <= 2048 else { return nil }
            return Array(bytes.readableBytesView)
        }
    }
}
