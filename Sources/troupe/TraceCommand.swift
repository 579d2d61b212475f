import ArgumentParser
import Foundation
import Troupe
import TroupeWire

/// `troupe trace`: the causal tree of one order (one correlation) across every node.
struct TraceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trace",
        abstract: "Show how one order travelled through the services.",
        discussion: """
            Collects every archived event of one correlation from all nodes — from a data
            directory or live nodes — and prints the causal tree: each event, who published it
            and when, who handled it, and what its handling published in turn. Times are
            milliseconds after the first event. --mermaid prints a sequence diagram instead.

              troupe trace order-0042 --data /tmp/run
              troupe trace 01JD3V9Q3M8ZK4X2B7N5R6T0WA --node 127.0.0.1:7101 --node 127.0.0.1:7102 ...
            """
    )

    @Argument(help: "A correlation id (26 characters), or an order id / subject such as order-0042.")
    var id: String
    @Option(help: "The nodes' data directory.") var data: String?
    @Option(name: .customLong("node"), help: "A live node, host:port. Repeat for every node.", transform: NodeAddressOption.parse)
    var nodes: [PeerAddress] = []
    @Flag(help: "Print a Mermaid sequence diagram.") var mermaid = false
    @Flag(help: "Print the archive rows as JSON.") var json = false

    func run() async throws {
        let source = try NodeDataSource(data: data, nodes: nodes)
        let correlationID = try await resolve(id, in: source)
        let rows = try await source.trace(correlationID)
        guard !rows.isEmpty else { throw CommandFailure("no events of correlation \(correlationID) in the archives") }
        let trace = CausalTrace(rows: rows)
        if json {
            print(String(decoding: try JSONEncoder.pretty.encode(trace.rows), as: UTF8.self))
        } else {
            print(mermaid ? trace.mermaid() : trace.tree(title: id))
        }
    }

    /// A correlation id as given, or the correlation of the first event whose subject is `text`.
    private func resolve(_ text: String, in source: NodeDataSource) async throws -> EventID {
        if let correlationID = EventID(text) { return correlationID }
        let rows = try await source.recentArchive(limit: 1_000_000).filter { $0.event.subject == text }
        guard let first = rows.min(by: { $0.atMicros < $1.atMicros }), let correlationID = EventID(first.event.correlationID) else {
            throw CommandFailure("'\(text)' is neither a correlation id nor the subject of an archived event")
        }
        return correlationID
    }
}

/// Archive rows of one correlation, arranged by causation.
struct CausalTrace {
    let rows: [ArchivedEventSummary]
    private let start: Int64
    private let published: [String: ArchivedEventSummary]
    private let handled: [String: [ArchivedEventSummary]]
    private let children: [String: [String]]
    private let roots: [String]

    init(rows: [ArchivedEventSummary]) {
        self.rows = rows.sorted { $0.atMicros < $1.atMicros }
        start = self.rows.first?.atMicros ?? 0
        var published: [String: ArchivedEventSummary] = [:]
        var handled: [String: [ArchivedEventSummary]] = [:]
        for row in self.rows {
            if row.direction == "published" {
                if published[row.event.eventID] == nil { published[row.event.eventID] = row }
            } else {
                handled[row.event.eventID, default: []].append(row)
            }
        }
        // An event handled somewhere but whose publisher's archive is missing still appears.
        for (eventID, rows) in handled where published[eventID] == nil { published[eventID] = rows[0] }
        var children: [String: [String]] = [:]
        var roots: [String] = []
        for event in published.values.sorted(by: { $0.atMicros < $1.atMicros }) {
            if let cause = event.event.causationID, published[cause] != nil {
                children[cause, default: []].append(event.event.eventID)
            } else {
                roots.append(event.event.eventID)
            }
        }
        self.published = published
        self.handled = handled
        self.children = children
        self.roots = roots
    }

    private func offset(_ micros: Int64) -> String { String(format: "+%.1f ms", Double(micros - start) / 1000) }

    /// The causal tree as indented text.
    func tree(title: String) -> String {
        let first = rows.first?.event
        var lines = ["\(title)  correlation \(first?.correlationID ?? "?")  trace \(first.flatMap { TraceParent($0.traceparent) }.map { String(format: "%016llx%016llx", $0.traceID.high, $0.traceID.low) } ?? "-")"]
        func walk(_ eventID: String, prefix: String, isLast: Bool) {
            guard let event = published[eventID] else { return }
            let branch = isLast ? "└─ " : "├─ "
            let body = event.event.body.count > 100 ? String(event.event.body.prefix(97)) + "..." : event.event.body
            lines.append("\(prefix)\(branch)\(event.event.type)  by \(event.nodeID)  \(offset(event.atMicros))  \(body)")
            let inner = prefix + (isLast ? "   " : "│  ")
            let handlers = (handled[eventID] ?? []).sorted { $0.atMicros < $1.atMicros }
            let next = children[eventID] ?? []
            for (index, handler) in handlers.enumerated() {
                let last = index == handlers.count - 1 && next.isEmpty
                let attempt = handler.event.attempt > 1 ? "  (attempt \(handler.event.attempt))" : ""
                lines.append("\(inner)\(last ? "└─ " : "├─ ")handled by \(handler.nodeID) [\(handler.group)]  \(offset(handler.atMicros))\(attempt)")
            }
            for (index, child) in next.enumerated() { walk(child, prefix: inner, isLast: index == next.count - 1) }
        }
        for (index, root) in roots.enumerated() { walk(root, prefix: "", isLast: index == roots.count - 1) }
        let nodes = Set(rows.map(\.nodeID)).sorted()
        lines.append("\(published.count) events across \(nodes.count) nodes: \(nodes.joined(separator: ", "))")
        return lines.joined(separator: "\n")
    }

    /// A Mermaid sequence diagram: one arrow per (event, handler).
    func mermaid() -> String {
        var participants: [String] = []
        for row in rows where !participants.contains(row.nodeID) { participants.append(row.nodeID) }
        var lines = ["sequenceDiagram"] + participants.map { "    participant \($0)" }
        for row in rows where row.direction == "handled" {
            let from = published[row.event.eventID]?.nodeID ?? row.event.source
            lines.append("    \(from)->>\(row.nodeID): \(row.event.type) (\(offset(row.atMicros)))")
        }
        return lines.joined(separator: "\n")
    }
}
