import NIOCore
import NIOEmbedded
import Testing
@testable import TroupeHTTP

@Suite("HTTP/2 preface sniffing")
struct HTTPPrefaceTests {
    @Test func theWholePrefaceMeansHTTP2() {
        #expect(HTTPPreface.classify(HTTPPreface.bytes) == .http2)
        #expect(HTTPPreface.classify(HTTPPreface.bytes + Array("\u{0}\u{0}\u{12}".utf8)) == .http2)
    }

    @Test func aPrefixOfThePrefaceNeedsMoreBytes() {
        #expect(HTTPPreface.classify([UInt8]()) == .needMoreBytes)
        #expect(HTTPPreface.classify(Array("PRI * HTTP/2".utf8)) == .needMoreBytes)
        #expect(HTTPPreface.classify(HTTPPreface.bytes.dropLast()) == .needMoreBytes)
    }

    @Test(arguments: ["GET / HTTP/1.1\r\n", "POST /orders HTTP/1.1\r\n", "PRI * HTTP/1.1\r\n", "P", "PUT /x HTTP/1.0\r\n"])
    func anythingElseIsHTTP1(request: String) {
        let expected: HTTPPreface.Decision = request == "P" ? .needMoreBytes : .http1
        #expect(HTTPPreface.classify(Array(request.utf8)) == expected)
    }

    /// Collects what reaches the pipeline after the sniffer.
    final class Collector: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = ByteBuffer
        var received = ByteBuffer()
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var buffer = unwrapInboundIn(data)
            received.writeBuffer(&buffer)
        }
    }

    /// Feeds `chunks` to a sniffer on an embedded channel; returns the decision and what the
    /// handler added by `configure` received.
    func sniff(_ chunks: [String]) throws -> (decisions: [HTTPPreface.Decision], received: String, snifferRemoved: Bool) {
        let channel = EmbeddedChannel()
        let collector = Collector()
        var decisions: [HTTPPreface.Decision] = []
        let sniffer = PrefaceSniffingHandler { channel, decision in
            decisions.append(decision)
            return channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(collector) }
        }
        try channel.pipeline.syncOperations.addHandler(sniffer)
        for chunk in chunks { try channel.writeInbound(ByteBuffer(string: chunk)) }
        let removed = (try? channel.pipeline.syncOperations.context(handlerType: PrefaceSniffingHandler.self)) == nil
        _ = try? channel.finish()
        return (decisions, String(buffer: collector.received), removed)
    }

    @Test func anHTTP2ClientSplitAcrossReadsIsDetectedAndReplayedWhole() throws {
        let preface = String(decoding: HTTPPreface.bytes, as: UTF8.self)
        let result = try sniff([String(preface.prefix(5)), String(preface.dropFirst(5).prefix(10)), String(preface.dropFirst(15)) + "FRAME"])
        #expect(result.decisions == [.http2])
        #expect(result.received == preface + "FRAME")
        #expect(result.snifferRemoved)
    }

    @Test func anHTTP1RequestIsDetectedOnItsFirstByteAndPassedOn() throws {
        let result = try sniff(["GET /health HTTP/1.1\r\nHost: x\r\n\r\n", "GET /stats HTTP/1.1\r\n"])
        #expect(result.decisions == [.http1])
        #expect(result.received == "GET /health HTTP/1.1\r\nHost: x\r\n\r\nGET /stats HTTP/1.1\r\n")
        #expect(result.snifferRemoved)
    }

    @Test func aConnectionThatStopsMidPrefaceDecidesNothing() throws {
        let result = try sniff(["PRI * HT"])
        #expect(result.decisions.isEmpty)
        #expect(result.received.isEmpty)
        #expect(!result.snifferRemoved)
    }
}
