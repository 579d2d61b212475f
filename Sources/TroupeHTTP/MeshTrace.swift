import Foundation
public import Troupe

/// Every node's archive rows of one correlation, merged and in time order.
public enum MeshTrace {
    /// Asks every node of the mesh for `correlationID`'s rows; nodes that do not answer are
    /// left out (their part of the timeline is missing, the rest is still shown).
    public static func rows(of correlationID: String, in mesh: MeshControl) async throws -> [ArchivedEventSummary] {
        let payload = try JSONEncoder().encode(TraceQuery(correlationID: correlationID))
        var rows: [ArchivedEventSummary] = []
        for entry in await mesh.askAll(ControlCommand.trace, payload: payload) {
            guard case .success(let outcome) = entry.result,
                  let part = try? outcome.decode([ArchivedEventSummary].self, command: ControlCommand.trace) else { continue }
            rows += part
        }
        return Set(rows).sorted { ($0.atMicros, $0.nodeID, $0.direction) < ($1.atMicros, $1.nodeID, $1.direction) }
    }
}
