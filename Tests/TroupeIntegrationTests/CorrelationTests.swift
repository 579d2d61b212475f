import NIOPosix
import Testing
import Troupe
import TroupeMeshNIO
import TroupeWire
import TroupeTestSupport

@Suite("Correlation across services", .serialized)
struct CorrelationTests {
    @Test func aChainOfThreeServicesSharesOneCorrelationAndChainsCausationAndTrace() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let source = try await RunningService.start(SourceService(), on: group)
        let relay = try await RunningService.start(RelayService(), seeds: [source.address], on: group)
        let sink = try await RunningService.start(SinkService(), seeds: [source.address], on: group)
        #expect(await eventually("interest") {
            let atSource = await source.mesh.matchingGroups(for: probe("Ping"))
            let atRelay = await relay.mesh.matchingGroups(for: probe("Pong"))
            return atSource == ["relay"] && atRelay == ["sink"]
        })
        let ping = try await source.node.publish(Ping(n: 1))
        #expect(await eventually("the sink handled the Pong") { await sink.node.state == 1 })

        let atRelay = try await relay.node.trace(correlationID: ping.correlationID)
        let atSink = try await sink.node.trace(correlationID: ping.correlationID)
        let handledPing = try #require(atRelay.first { $0.direction == .handled })
        let pong = try #require(atRelay.first { $0.direction == .published })
        let handledPong = try #require(atSink.first { $0.direction == .handled })
        let done = try #require(atSink.first { $0.direction == .published })

        #expect(ping.correlationID == ping.eventID, "a publish outside a handler starts a correlation")
        #expect(ping.causationID == nil)
        #expect(handledPing.envelope.eventID == ping.eventID)
        #expect(pong.envelope.type == "Pong" && done.envelope.type == "Done")
        for event in [pong, handledPong, done] { #expect(event.envelope.correlationID == ping.correlationID) }
        #expect(pong.envelope.causationID == ping.eventID)
        #expect(handledPong.envelope.eventID == pong.envelope.eventID)
        #expect(done.envelope.causationID == pong.envelope.eventID)

        let traces = try [ping, pong.envelope, done.envelope].map { try #require(TraceParent($0.traceparent)) }
        #expect(Set(traces.map { "\($0.traceID.high)-\($0.traceID.low)" }).count == 1, "one trace end to end")
        #expect(Set(traces.map(\.spanID)).count == 3, "each hop is its own span")

        await sink.stop()
        await relay.stop()
        await source.stop()
        try await group.shutdownGracefully()
    }
}
