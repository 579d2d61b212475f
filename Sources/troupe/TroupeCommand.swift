import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The `troupe` command line.
@main
struct TroupeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "troupe",
        abstract: "Event choreography between distributed services.",
        discussion: """
            Troupe hosts services as nodes of a pub/sub mesh that speak a binary protocol over TCP.
            Start with `troupe demo`: four node processes run the order saga and the run is
            checked against the saga's invariants. `troupe node` runs one node by hand.
            """,
        subcommands: [DemoCommand.self, BenchCommand.self, NodeCommand.self, CheckCommand.self, TraceCommand.self, StatsCommand.self, DeadLetterCommand.self, ChaosCommand.self, SoakCommand.self, SimulateCommand.self]
    )

    /// Clears the signal mask inherited from the parent before anything else runs.
    ///
    /// A child process inherits its parent thread's blocked signals; test runners and some
    /// supervisors block SIGTERM/SIGINT on their threads, which would make this process ignore
    /// the very signals it is stopped with.
    static func main() async {
        var empty = sigset_t()
        sigemptyset(&empty)
        pthread_sigmask(SIG_SETMASK, &empty, nil)
        LauncherWatch.startIfLaunched()
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            // Help and version requests print as usual; every failure prints one line.
            let code = exitCode(for: error)
            if code == .success { exit(withError: error) }
            // A command that already said why it failed (e.g. failed invariants) just exits.
            if error is ExitCode { Glibc.exit(code.rawValue) }
            let message = message(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
            FileHandle.standardError.write(Data("troupe: \(message)\n".utf8))
            Glibc.exit(code.rawValue)
        }
    }
}
