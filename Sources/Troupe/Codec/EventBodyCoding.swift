import Foundation
import NIOCore

/// Encodes and decodes event bodies (JSON): the streaming ``JSONBodyEncoder`` and
/// ``JSONBodyDecoder`` first, Foundation's `JSONEncoder`/`JSONDecoder` whenever those decline.
///
/// Every event a node publishes is encoded once and every event it handles is decoded once, so
/// the cost of the coder is paid per event on both ends. Measured alone on this project's
/// 256-byte bench event, Foundation takes ~1.9 µs to encode and ~3.4 µs to decode; the streaming
/// pair does the same in a fraction of that (Benchmarks/README.md, sixth round).
///
/// The fast pair is narrower than Foundation by design: it declines (throws internally) on
/// anything it does not handle exactly as Foundation would, and the body is then coded again by
/// Foundation — so a type that only Foundation handles still works, and an invalid body fails
/// with Foundation's `DecodingError`, the error users have always seen. Both write JSON that
/// either side reads; the bytes may differ (key order, `/` unescaped).
enum EventBodyCoding {
    /// `value` as a JSON body.
    static func encode<T: Encodable>(_ value: T) throws -> ByteBuffer {
        try encode(value, using: JSONByteWriter())
    }

    /// `value` as a JSON body, written in `writer` and copied out of it: a writer kept by its
    /// caller (a node keeps one) spares the writer object and its byte array, allocated and then
    /// grown past its first guess of 256 bytes for every event published (Benchmarks/README.md,
    /// sixteenth round). `writer` holds nothing afterwards that matters.
    static func encode<T: Encodable>(_ value: T, using writer: JSONByteWriter) throws -> ByteBuffer {
        writer.reset()
        do {
            try writer.writeValue(value, depth: 0)
        } catch {
            return ByteBuffer(bytes: try JSONEncoder().encode(value))
        }
        return writer.buffer()
    }

    /// Decodes a `T` from `body`'s readable bytes.
    static func decode<T: Decodable>(_ type: T.Type, from body: ByteBuffer) throws -> T {
        // `do`/`catch` rather than `try?`: an optional `T` costs a run-time metadata lookup
        // per call when `T` is not known at compile time (it never is in a node).
        do {
            return try body.withUnsafeReadableBytes { bytes in try JSONBodyDecoder.decode(T.self, from: bytes) }
        } catch {
            return try JSONDecoder().decode(T.self, from: Data(body.readableBytesView))
        }
    }
}
