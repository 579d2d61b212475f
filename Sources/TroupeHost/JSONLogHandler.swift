import Foundation
public import Logging
import Synchronization

/// A swift-log handler writing one JSON object per line: `ts`, `level`, `label`, `message`,
/// `source` and every metadata value as a top-level field (the runtime sets `node`, and on the
/// delivery path `event_id`, `correlation_id`, `causation_id`, `type`, `subject`).
///
/// ```json
/// {"correlation_id":"01JD…","event_id":"01JD…","level":"info","message":"handled","node":"inventory","ts":"2026-11-23T22:40:01.123Z"}
/// ```
public struct JSONLogHandler: LogHandler {
    /// Handler metadata.
    public var metadata: Logger.Metadata = [:]
    /// Minimum level.
    public var logLevel: Logger.Level = .info
    /// Logger label.
    public let label: String
    private let write: @Sendable (String) -> Void

    /// A handler writing lines with `write`.
    public init(label: String, write: @escaping @Sendable (String) -> Void) {
        self.label = label
        self.write = write
    }

    /// A handler writing to standard error.
    public static func standardError(label: String) -> JSONLogHandler {
        JSONLogHandler(label: label) { line in
            standardErrorLock.withLock { _ in FileHandle.standardError.write(Data(line.utf8)) }
        }
    }

    private static let standardErrorLock = Mutex<Void>(())

    /// Handler metadata by key.
    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Writes one line.
    public func log(event: LogEvent) {
        var fields = metadata
        if let extra = event.metadata { fields.merge(extra) { _, new in new } }
        write(Self.line(timestamp: Date(), level: event.level, label: label, message: "\(event.message)", source: event.source, metadata: fields))
    }

    /// One JSON line (with the newline), keys sorted.
    static func line(timestamp: Date, level: Logger.Level, label: String, message: String, source: String, metadata: Logger.Metadata) -> String {
        var object: [String: String] = [:]
        for (key, value) in metadata { object[key] = "\(value)" }
        object["ts"] = timestamp.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
        object["level"] = level.rawValue
        object["label"] = label
        object["message"] = message
        object["source"] = source
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(object)) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
