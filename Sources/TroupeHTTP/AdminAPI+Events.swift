public import Foundation

extension AdminAPI {
    /// `GET /events`: a server-sent event stream, one `snapshot` event (a ``MeshSnapshot`` as
    /// JSON) right away and then every ``Configuration/streamInterval``, until the client goes
    /// away or the server shuts down.
    static func eventStream(mesh: MeshControl, configuration: Configuration, stopping: StopFlag) -> APIResponse {
        APIResponse(
            status: 200,
            headers: ["Content-Type": "text/event-stream", "Cache-Control": "no-store", "X-Accel-Buffering": "no"],
            body: .stream { write in
                try await write(Data("retry: 1000\n\n".utf8))
                while !stopping.isStopped, !Task.isCancelled {
                    let snapshot = await snapshot(mesh: mesh, orders: configuration.orders)
                    try await write(ServerSentEvent.encode(event: "snapshot", data: try JSONEncoder.api.encode(snapshot)))
                    try await Task.sleep(for: configuration.streamInterval)
                }
            }
        )
    }
}

/// The `text/event-stream` wire format.
public enum ServerSentEvent {
    /// One event: `event: NAME`, one `data:` line per line of `data`, a blank line.
    public static func encode(event: String, data: Data) -> Data {
        var out = "event: \(event)\n"
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false) {
            out += "data: \(line)\n"
        }
        out += "\n"
        return Data(out.utf8)
    }
}
