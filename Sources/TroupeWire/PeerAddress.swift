/// A host and TCP port a node listens on, as it advertises it to the mesh.
public struct PeerAddress: Hashable, Sendable, CustomStringConvertible {
    /// Host name or IP literal, e.g. `127.0.0.1`.
    public var host: String
    /// TCP port.
    public var port: UInt16

    /// Creates an address.
    public init(host: String, port: UInt16) {
        self.host = host
        self.port = port
    }

    /// Parses `host:port` (IPv6 literals as `[::1]:7100`); nil when it is not of that form.
    public init?(_ text: String) {
        guard let colon = text.lastIndex(of: ":") else { return nil }
        var host = String(text[..<colon])
        guard let port = UInt16(text[text.index(after: colon)...]), !host.isEmpty else { return nil }
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        self.init(host: host, port: port)
    }

    /// `host:port`, with IPv6 hosts in brackets.
    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
