import ArgumentParser

/// `--log-format`: how a node writes its log lines on stderr.
enum LogFormat: String, CaseIterable, ExpressibleByArgument {
    /// swift-log's default text lines.
    case text
    /// One JSON object per line (``JSONLogHandler``).
    case json
}
