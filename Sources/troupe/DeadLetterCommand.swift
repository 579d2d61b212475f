import ArgumentParser
import Foundation
import Troupe
import TroupeWire

/// `troupe dlq list|show|replay|purge --node ...`: the dead-letter queue of a live node.
struct DeadLetterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dlq",
        abstract: "List, inspect, replay or purge a node's dead letters.",
        discussion: """
            Dead letters live at the publisher: an event that could not be delivered to a group
            (every attempt failed, or no member of the group for the retention period) is kept
            there with its last error. A replay keeps the event id and correlation id and starts
            a new series of attempts; the consumer's idempotency record still guards against a
            double apply.
            """,
        subcommands: [List.self, Show.self, Replay.self, Purge.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List dead letters with their reasons.")
        @OptionGroup var node: NodeAddressOption
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let letters = try await DeadLetterCommand.fetch(node.address)
            if json { return print(String(decoding: try JSONEncoder.pretty.encode(letters), as: UTF8.self)) }
            if letters.isEmpty { return print("no dead letters at \(node.address)") }
            for letter in letters {
                print("#\(letter.id)  \(letter.event.type)  \(letter.event.eventID)  group=\(letter.group.isEmpty ? "-" : letter.group)  attempts=\(letter.attempts)  \(letter.reason): \(letter.lastError)")
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one dead letter in full.")
        @OptionGroup var node: NodeAddressOption
        @Argument(help: "The dead letter's id (from `dlq list`).") var id: Int64

        func run() async throws {
            guard let letter = try await DeadLetterCommand.fetch(node.address).first(where: { $0.id == id }) else {
                throw CommandFailure("no dead letter #\(id) at \(node.address)")
            }
            print(String(decoding: try JSONEncoder.pretty.encode(letter), as: UTF8.self))
        }
    }

    struct Replay: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Replay dead letters to their original groups.")
        @OptionGroup var node: NodeAddressOption
        @Argument(help: "Dead-letter ids; none means all.") var ids: [Int64] = []

        func run() async throws {
            let session = try await ControlSession.open(node.address)
            let replayed = try await session.request(
                ControlCommand.deadLetterReplay, payload: ControlSession.json(DeadLetterSelection(ids: ids.isEmpty ? nil : ids)), as: [Int64].self
            )
            await session.close()
            print("replayed \(replayed.count) dead letter\(replayed.count == 1 ? "" : "s")")
        }
    }

    struct Purge: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete dead letters.")
        @OptionGroup var node: NodeAddressOption
        @Argument(help: "Dead-letter ids; none means all.") var ids: [Int64] = []

        func run() async throws {
            let session = try await ControlSession.open(node.address)
            let removed = try await session.request(
                ControlCommand.deadLetterPurge, payload: ControlSession.json(DeadLetterSelection(ids: ids.isEmpty ? nil : ids)), as: Int.self
            )
            await session.close()
            print("purged \(removed) dead letter\(removed == 1 ? "" : "s")")
        }
    }

    static func fetch(_ address: PeerAddress) async throws -> [DeadLetterSummary] {
        try await ControlSession.with(address) { try await $0.request(ControlCommand.deadLetterList, as: [DeadLetterSummary].self) }
    }
}
