import Metrics
import Prometheus

/// The process's swift-metrics backend for `GET /metrics`: swift-prometheus's registry.
public enum PrometheusExposition {
    /// Bootstraps swift-metrics with a Prometheus registry (once per process, before any node
    /// creates its instruments) and returns the function that renders the registry as
    /// Prometheus text.
    public static func bootstrap() -> @Sendable () -> String {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return { registry.emitToString() }
    }
}
