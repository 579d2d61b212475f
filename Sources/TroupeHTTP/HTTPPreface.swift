/// The HTTP/2 connection preface and the decision it drives on a plaintext port that speaks both
/// HTTP/1.1 and h2c with prior knowledge.
///
/// An HTTP/2 client with prior knowledge opens with the 24 bytes `PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n`;
/// no HTTP/1.1 request can start like that (`PRI` is not a method a server accepts). So the first
/// bytes decide: as soon as one byte differs from the preface the connection is HTTP/1.1; once
/// all 24 bytes match it is HTTP/2; until then we wait for more.
public enum HTTPPreface {
    /// The HTTP/2 client connection preface (RFC 9113 §3.4).
    public static let bytes: [UInt8] = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)

    /// What the bytes received so far say about the connection.
    public enum Decision: Hashable, Sendable {
        /// The full preface arrived: HTTP/2 with prior knowledge.
        case http2
        /// A byte differs from the preface: HTTP/1.x.
        case http1
        /// Every byte so far matches the preface, but it is not complete yet.
        case needMoreBytes
    }

    /// Classifies the first bytes of a connection.
    public static func classify(_ received: some Sequence<UInt8>) -> Decision {
        var count = 0
        for byte in received {
            guard count < bytes.count else { break }
            if byte != bytes[count] { return .http1 }
            count += 1
        }
        return count == bytes.count ? .http2 : .needMoreBytes
    }
}
