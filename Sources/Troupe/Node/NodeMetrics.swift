import Metrics

/// The node's swift-metrics instruments. The library only uses the API; whoever runs the node
/// bootstraps a backend (Prometheus, StatsD, ...) — without one they are no-ops.
struct NodeMetrics: Sendable {
    let published: Counter
    let delivered: Counter
    let handled: Counter
    let acked: Counter
    let redelivered: Counter
    let duplicatesSuppressed: Counter
    let handlerFailures: Counter
    let deadLettered: Counter
    let handlerDuration: Metrics.Timer
    let publishToHandled: Metrics.Timer
    let outboxDepth: Gauge
    let deadLetterDepth: Gauge

    init(nodeID: String, service: String) {
        let dimensions = [("node", nodeID), ("service", service)]
        published = Counter(label: "troupe_events_published_total", dimensions: dimensions)
        delivered = Counter(label: "troupe_events_delivered_total", dimensions: dimensions)
        handled = Counter(label: "troupe_events_handled_total", dimensions: dimensions)
        acked = Counter(label: "troupe_events_acked_total", dimensions: dimensions)
        redelivered = Counter(label: "troupe_events_redelivered_total", dimensions: dimensions)
        duplicatesSuppressed = Counter(label: "troupe_duplicates_suppressed_total", dimensions: dimensions)
        handlerFailures = Counter(label: "troupe_handler_failures_total", dimensions: dimensions)
        deadLettered = Counter(label: "troupe_events_dead_lettered_total", dimensions: dimensions)
        handlerDuration = Metrics.Timer(label: "troupe_handler_duration_seconds", dimensions: dimensions)
        publishToHandled = Metrics.Timer(label: "troupe_publish_to_handled_seconds", dimensions: dimensions)
        outboxDepth = Gauge(label: "troupe_outbox_depth", dimensions: dimensions)
        deadLetterDepth = Gauge(label: "troupe_dead_letter_depth", dimensions: dimensions)
    }
}
