import ArgumentParser

/// `troupe chaos`: inject faults into live nodes over CONTROL frames.
struct ChaosCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chaos",
        abstract: "Inject faults into live nodes (link faults, handler faults) and clear them.",
        discussion: """
            Each node keeps one fault plan, replaced as a whole by `set` and emptied by `clear`.
            Link faults act on what a node sends (a partition also on what it receives), so give
            the same plan to every node of a mesh to cover every link:
              troupe chaos set --node 127.0.0.1:7101 --node 127.0.0.1:7103 --drop 0.1 --to payment
              troupe chaos set --node 127.0.0.1:7103 --partition
              troupe chaos status --node 127.0.0.1:7103
              troupe chaos clear --node 127.0.0.1:7101 --node 127.0.0.1:7103
            Crashing a process is the supervisor's job: see `troupe demo --scenario`.
            """,
        subcommands: [ChaosSetCommand.self, ChaosClearCommand.self, ChaosStatusCommand.self]
    )
}
