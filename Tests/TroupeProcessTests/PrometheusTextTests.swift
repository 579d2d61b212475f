import Testing

@Suite("Prometheus text parser (test helper)")
struct PrometheusTextTests {
    @Test func parsesTypesSamplesAndLabels() throws {
        let text = """
            # HELP troupe_events_handled_total Handled events.
            # TYPE troupe_events_handled_total counter
            troupe_events_handled_total{node="order",service="order"} 42
            # TYPE troupe_outbox_depth gauge
            troupe_outbox_depth{node="a\\"b"} 0.0
            troupe_handler_duration_seconds_bucket{le="+Inf"} 3
            plain_metric 1.5e3 1700000000000

            """
        let parsed = try PrometheusText(parsing: text)
        #expect(parsed.types == ["troupe_events_handled_total": "counter", "troupe_outbox_depth": "gauge"])
        #expect(parsed.value("troupe_events_handled_total", ["node": "order"]) == 42)
        #expect(parsed.value("troupe_outbox_depth", ["node": "a\"b"]) == 0)
        #expect(parsed.value("troupe_handler_duration_seconds_bucket", ["le": "+Inf"]) == 3)
        #expect(parsed.value("plain_metric") == 1500)
        #expect(parsed.value("missing") == nil)
    }

    @Test(arguments: ["1bad 2", "m{node=\"x\" 1", "m{node=x} 1", "m one", "# TYPE m colour", "m{9=\"x\"} 1", "{node=\"x\"} 1"])
    func rejectsMalformedLines(line: String) {
        #expect(throws: PrometheusText.ParseError.self) { try PrometheusText(parsing: line) }
    }

    @Test func rejectsHTMLAndJSON() {
        #expect(throws: PrometheusText.ParseError.self) { try PrometheusText(parsing: "<!doctype html>") }
        #expect(throws: PrometheusText.ParseError.self) { try PrometheusText(parsing: #"{"error":{}}"#) }
    }
}
