import ArgumentParser
import TroupeWire

/// `--node host:port`: the live node a command talks to.
struct NodeAddressOption: ParsableArguments {
    @Option(name: .customLong("node"), help: "The node to ask, host:port (its --listen address).", transform: NodeAddressOption.parse)
    var address: PeerAddress

    static func parse(_ text: String) throws -> PeerAddress {
        guard let address = PeerAddress(text) else {
            throw ValidationError("'\(text)' is not host:port (e.g. 127.0.0.1:7101)")
        }
        return address
    }
}
