#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Strings from bytes that must be well-formed UTF-8 (frame fields, JSON string contents).
///
/// The standard library's `String(validating:as:)` is generic over the encoding and is not
/// specialized for callers outside it: measured with callgrind, each call spent ~1 000
/// instructions, a third of them looking up generic metadata, for six short fields per event.
/// ``string(validating:)`` decodes leniently instead (the standard library's specialized UTF-8
/// path, with its ASCII fast path) and compares the result with the input: decoding replaces
/// every ill-formed sequence by U+FFFD, and its output is always well-formed, so the output
/// equals the input byte for byte exactly when the input was well-formed.
public enum UTF8Text {
    /// The text of `bytes`, or nil when they are not well-formed UTF-8.
    public static func string(validating bytes: UnsafeRawBufferPointer) -> String? {
        var text = String(decoding: bytes, as: UTF8.self)
        let unchanged = text.withUTF8 { decoded in
            decoded.count == bytes.count
                && (bytes.isEmpty || memcmp(decoded.baseAddress!, bytes.baseAddress!, bytes.count) == 0)
        }
        return unchanged ? text : nil
    }

    /// The text of `bytes`, or nil when they are not well-formed UTF-8.
    public static func string(validating bytes: [UInt8]) -> String? {
        bytes.withUnsafeBytes { string(validating: $0) }
    }
}
