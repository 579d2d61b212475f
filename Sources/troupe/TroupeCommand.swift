import ArgumentParser

/// The `troupe` command line.
@main
struct TroupeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "troupe",
        abstract: "Event choreography between distributed services."
    )
}
