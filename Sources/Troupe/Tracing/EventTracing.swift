import Instrumentation
import Tracing
import TroupeWire

/// The runtime's swift-distributed-tracing spans: `publish <type>` (producer) around every
/// publication, `deliver <type>` (consumer) around every delivery a node takes, `handle <type>`
/// around the handler inside it.
///
/// A delivery's span continues the trace of the envelope's W3C `traceparent`: it is handed to the
/// installed instrument as the `traceparent` key of the envelope (what an OpenTelemetry W3C
/// propagator reads), and an event published inside a span carries that span's `traceparent`
/// when the instrument injects one. So with an OpenTelemetry tracer bootstrapped, a backend shows
/// a saga as one trace: publish → deliver → handle → publish → deliver ... With the default
/// no-op tracer nothing is recorded, and the runtime's own trace ids keep flowing through the
/// envelopes (see ``TraceParent``).
enum EventTracing {
    /// Whether any instrument is installed (bootstrapped, or bound to the current task). Without
    /// one every span would be a no-op, and the runtime skips building them: per delivery that
    /// saves two spans with interpolated names, a context extraction and two task-local
    /// bindings, a few per cent of a node's CPU per event (measured with `troupe bench --mode
    /// memory`). Correlation, causation and the runtime's own trace ids flow either way; they
    /// live in the envelope.
    ///
    /// Compares the instrument's type instead of casting it (`is`): a dynamic cast of the
    /// existential cost ~250 instructions per delivery, a metatype comparison one; the two agree
    /// because `NoOpInstrument` is a struct.
    static var isActive: Bool { type(of: InstrumentationSystem.instrument) != NoOpInstrument.self }

    /// Reads an envelope's `traceparent` for the instrument.
    struct EnvelopeExtractor: Extractor {
        func extract(key: String, from carrier: Envelope) -> String? {
            key == "traceparent" ? carrier.traceparent : nil
        }
    }

    /// Collects what the instrument injects (we keep `traceparent`).
    struct HeaderInjector: Injector {
        func inject(_ value: String, forKey key: String, into carrier: inout [String: String]) {
            carrier[key] = value
        }
    }

    /// The context of the span that published `envelope`, as the installed instrument sees it.
    static func parentContext(of envelope: Envelope) -> InstrumentationContext {
        var context = InstrumentationContext.topLevel
        InstrumentationSystem.instrument.extract(envelope, into: &context, using: EnvelopeExtractor())
        return context
    }

    /// The `traceparent` the installed instrument gives the current span; nil without one (the
    /// no-op tracer injects nothing) or outside any span.
    static func currentTraceparent() -> String? {
        guard let context = InstrumentationContext.current else { return nil }
        var headers: [String: String] = [:]
        InstrumentationSystem.instrument.inject(context, into: &headers, using: HeaderInjector())
        return headers["traceparent"]
    }

    /// Puts the event's identity on a recording span.
    static func annotate(_ span: any Span, _ envelope: Envelope, nodeID: String, group: String? = nil) {
        guard span.isRecording else { return }
        span.attributes["messaging.system"] = "troupe"
        span.attributes["messaging.destination.name"] = envelope.type
        span.attributes["messaging.message.id"] = envelope.eventID.description
        span.attributes["troupe.event_id"] = envelope.eventID.description
        span.attributes["troupe.correlation_id"] = envelope.correlationID.description
        if let causationID = envelope.causationID { span.attributes["troupe.causation_id"] = causationID.description }
        span.attributes["troupe.traceparent"] = envelope.traceparent
        span.attributes["troupe.subject"] = envelope.subject
        span.attributes["troupe.attempt"] = Int(envelope.attempt)
        span.attributes["troupe.node"] = nodeID
        if let group { span.attributes["messaging.consumer.group.name"] = group }
    }
}
