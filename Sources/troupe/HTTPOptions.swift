import ArgumentParser
import TroupeWire

/// `--http HOST:PORT` and the TLS files of `troupe node`.
struct HTTPOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Serve the HTTP API and dashboard on this address (HTTP/1.1 and h2c; h2 over TLS with --tls-cert).", valueName: "host:port"),
            transform: HTTPOptions.parseAddress)
    var http: PeerAddress?

    @Option(help: ArgumentHelp("PEM certificate (chain) for --http: serve TLS, negotiating h2 or http/1.1 by ALPN.", valueName: "file"))
    var tlsCert: String?

    @Option(help: ArgumentHelp("PEM private key of --tls-cert.", valueName: "file"))
    var tlsKey: String?

    func validate() throws {
        if (tlsCert == nil) != (tlsKey == nil) { throw ValidationError("--tls-cert and --tls-key go together") }
        if tlsCert != nil, http == nil { throw ValidationError("--tls-cert needs --http host:port") }
    }

    /// Parses `host:port` for `--http`.
    static func parseAddress(_ text: String) throws -> PeerAddress {
        guard let address = PeerAddress(text) else {
            throw ValidationError("--http expects host:port (e.g. 127.0.0.1:8080), not '\(text)'")
        }
        return address
    }

    /// The TLS files, when both are given.
    var tls: (certificatePath: String, keyPath: String)? {
        guard let tlsCert, let tlsKey else { return nil }
        return (tlsCert, tlsKey)
    }
}
