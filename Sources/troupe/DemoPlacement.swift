import ArgumentParser

/// Where `troupe demo` runs each node: the host it listens on and the command its process is
/// started through. The default is every node on 127.0.0.1, started directly;
/// `deploy/netns/run.sh --demo` places each node in its own network namespace with
/// `--node-host order=10.77.0.11 … --node-wrapper "ip netns exec troupe-{node}"`.
struct DemoPlacement: Sendable, Equatable {
    /// Listen host per node id; nodes not listed listen on 127.0.0.1.
    var hosts: [String: String] = [:]
    /// The command prefix each node process is started through, `{node}` replaced by its id;
    /// empty: started directly.
    var wrapper: [String] = []

    /// The listen host of `nodeID`.
    func host(of nodeID: String) -> String { hosts[nodeID] ?? "127.0.0.1" }

    /// The wrapper words for `nodeID`.
    func wrapper(for nodeID: String) -> [String] {
        wrapper.map { $0.replacingOccurrences(of: "{node}", with: nodeID) }
    }

    /// Parses one `--node-host NODE=HOST`.
    static func parseHost(_ text: String) throws -> (node: String, host: String) {
        let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
        guard parts.count == 2, SagaRole(rawValue: parts[0]) != nil, !parts[1].isEmpty, !parts[1].contains(":") || parts[1].hasPrefix("[") else {
            throw ValidationError("'\(text)' is not NODE=HOST with NODE one of \(SagaRole.allCases.map(\.rawValue).joined(separator: ", ")) (e.g. order=10.77.0.11)")
        }
        return (parts[0], parts[1])
    }

    /// Parses `--node-wrapper "WORDS"` (split on spaces; must not be empty).
    static func parseWrapper(_ text: String) throws -> [String] {
        let words = text.split(separator: " ").map(String.init)
        guard !words.isEmpty else { throw ValidationError("--node-wrapper must name a command, e.g. \"ip netns exec troupe-{node}\"") }
        return words
    }
}
