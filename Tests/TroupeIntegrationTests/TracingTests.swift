import Foundation
import Instrumentation
import NIOPosix
import ServiceContextModule
import Synchronization
import Testing
import Tracing
import Troupe
import TroupeWire
import TroupeTestSupport

/// A tracer standing in for OpenTelemetry with a W3C propagator: it extracts and injects the
/// `traceparent` key, and records the spans of tasks that run under ``recording`` (so tests
/// running at the same time in this process are left alone).
final class W3CTestTracer: Tracer {
    @TaskLocal static var recording = false

    struct IDs: Sendable, Hashable {
        var traceID: String
        var spanID: String
    }

    enum IDsKey: ServiceContextKey { typealias Value = IDs }

    final class RecordedSpan: Tracing.Span {
        let context: InstrumentationContext
        let kind: SpanKind
        let parentSpanID: String?
        let isRecording: Bool
        private let state: Mutex<(name: String, attributes: SpanAttributes, ended: Bool)>

        init(name: String, kind: SpanKind, context: InstrumentationContext, parentSpanID: String?, isRecording: Bool) {
            self.context = context
            self.kind = kind
            self.parentSpanID = parentSpanID
            self.isRecording = isRecording
            self.state = Mutex((name, [:], false))
        }

        var ids: IDs { context[IDsKey.self]! }
        var operationName: String {
            get { state.withLock { $0.name } }
            set { state.withLock { $0.name = newValue } }
        }
        var attributes: SpanAttributes {
            get { state.withLock { $0.attributes } }
            set { state.withLock { $0.attributes = newValue } }
        }
        var ended: Bool { state.withLock { $0.ended } }
        func attribute(_ key: String) -> String? {
            guard let value = attributes.get(key) else { return nil }
            if case .string(let text) = value.toSpanAttribute() { return text }
            return "\(value)"
        }
        func setStatus(_ status: SpanStatus) {}
        func addEvent(_ event: SpanEvent) {}
        func recordError<Instant: TracerInstant>(_ error: any Error, attributes: SpanAttributes, at instant: @autoclosure () -> Instant) {}
        func addLink(_ link: SpanLink) {}
        func end<Instant: TracerInstant>(at instant: @autoclosure () -> Instant) { state.withLock { $0.ended = true } }
    }

    let spans = Mutex<[RecordedSpan]>([])

    static func hex(_ digits: Int) -> String {
        String((0..<digits).map { _ in "0123456789abcdef".randomElement()! })
    }

    func startSpan<Instant: TracerInstant>(
        _ operationName: String, context: @autoclosure () -> InstrumentationContext, ofKind kind: SpanKind,
        at instant: @autoclosure () -> Instant, function: String, file fileID: String, line: UInt
    ) -> RecordedSpan {
        var context = context()
        let parent = context[IDsKey.self]
        context[IDsKey.self] = IDs(traceID: parent?.traceID ?? Self.hex(32), spanID: Self.hex(16))
        let span = RecordedSpan(name: operationName, kind: kind, context: context, parentSpanID: parent?.spanID, isRecording: Self.recording)
        if Self.recording { spans.withLock { $0.append(span) } }
        return span
    }

    func forceFlush() {}

    func extract<Carrier, Extract: Extractor>(_ carrier: Carrier, into context: inout InstrumentationContext, using extractor: Extract) where Extract.Carrier == Carrier {
        guard Self.recording, let value = extractor.extract(key: "traceparent", from: carrier) else { return }
        let parts = value.split(separator: "-")
        guard parts.count == 4 else { return }
        context[IDsKey.self] = IDs(traceID: String(parts[1]), spanID: String(parts[2]))
    }

    func inject<Carrier, Inject: Injector>(_ context: InstrumentationContext, into carrier: inout Carrier, using injector: Inject) where Inject.Carrier == Carrier {
        guard Self.recording, let ids = context[IDsKey.self] else { return }
        injector.inject("00-\(ids.traceID)-\(ids.spanID)-01", forKey: "traceparent", into: &carrier)
    }

    /// The process-wide instance (bootstrapping is once per process).
    static let installed: W3CTestTracer = {
        let tracer = W3CTestTracer()
        InstrumentationSystem.bootstrap(tracer)
        return tracer
    }()
}

@Suite("Tracing spans around publish, deliver and handle", .serialized)
struct TracingTests {
    @Test func aChainOfServicesIsOneTraceOfPublishDeliverAndHandleSpans() async throws {
        let tracer = W3CTestTracer.installed
        try await W3CTestTracer.$recording.withValue(true) {
            let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
            let source = try await RunningService.start(SourceService(), nodeID: "trace-source", on: group)
            let relay = try await RunningService.start(RelayService(), nodeID: "trace-relay", seeds: [source.address], on: group)
            let sink = try await RunningService.start(SinkService(), nodeID: "trace-sink", seeds: [source.address], on: group)
            #expect(await eventually("interest") {
                let atSource = await source.mesh.matchingGroups(for: probe("Ping"))
                let atRelay = await relay.mesh.matchingGroups(for: probe("Pong"))
                return atSource == ["relay"] && atRelay == ["sink"]
            })
            let ping = try await source.node.publish(Ping(n: 7))
            #expect(await eventually("the sink handled the Pong") { await sink.node.state == 1 })
            let pong = try #require(try await relay.node.trace(correlationID: ping.correlationID).first { $0.direction == .published }).envelope
            for service in [sink, relay] as [any Stoppable] { await service.stopService() }
            await source.stop()
            try await group.shutdownGracefully()

            let spans = tracer.spans.withLock { $0 }.filter { $0.attribute("troupe.correlation_id") == ping.correlationID.description }
            func span(_ name: String, on node: String) throws -> W3CTestTracer.RecordedSpan {
                try #require(spans.first { $0.operationName == name && $0.attribute("troupe.node") == node }, "no span \(name) on \(node): \(spans.map { "\($0.operationName)@\($0.attribute("troupe.node") ?? "?")" })")
            }
            let publishPing = try span("publish Ping", on: "trace-source")
            let deliverPing = try span("deliver Ping", on: "trace-relay")
            let handlePing = try span("handle Ping", on: "trace-relay")
            let publishPong = try span("publish Pong", on: "trace-relay")
            let deliverPong = try span("deliver Pong", on: "trace-sink")
            let handlePong = try span("handle Pong", on: "trace-sink")

            #expect(publishPing.kind == .producer && deliverPing.kind == .consumer && handlePing.kind == .internal)
            // The envelope carries the publishing span's traceparent; the consumer continues it.
            #expect(ping.traceparent == "00-\(publishPing.ids.traceID)-\(publishPing.ids.spanID)-01")
            #expect(deliverPing.parentSpanID == publishPing.ids.spanID)
            #expect(handlePing.parentSpanID == deliverPing.ids.spanID)
            #expect(publishPong.parentSpanID == deliverPing.ids.spanID)
            #expect(pong.traceparent == "00-\(publishPong.ids.traceID)-\(publishPong.ids.spanID)-01")
            #expect(deliverPong.parentSpanID == publishPong.ids.spanID)
            #expect(handlePong.parentSpanID == deliverPong.ids.spanID)
            #expect(Set([publishPing, deliverPing, handlePing, publishPong, deliverPong, handlePong].map(\.ids.traceID)).count == 1, "one trace end to end")
            let all = [publishPing, deliverPing, handlePing, publishPong, deliverPong, handlePong]
            #expect(all.allSatisfy { $0.ended })
            #expect(deliverPing.attribute("troupe.event_id") == ping.eventID.description)
            #expect(deliverPing.attribute("messaging.consumer.group.name") == "relay")
            #expect(deliverPong.attribute("troupe.causation_id") == ping.eventID.description)
        }
    }
}

/// Services of different types, stopped uniformly.
protocol Stoppable { func stopService() async }
extension RunningService: Stoppable { func stopService() async { await stop() } }
