import Foundation
import NIOCore
import PropertyBased
import Testing
@testable import Troupe

/// A body with every kind of value synthesised `Codable` produces, plus Foundation's special types.
private struct RichBody: Codable, Equatable {
    enum Status: String, Codable { case placed, confirmed = "CONFIRMED" }
    struct Line: Codable, Equatable {
        var sku: String
        var quantity: UInt16
        var price: Double
    }

    var text: String
    var int: Int
    var int8: Int8
    var int16: Int16
    var int32: Int32
    var int64: Int64
    var uint: UInt
    var uint8: UInt8
    var uint32: UInt32
    var uint64: UInt64
    var double: Double
    var float: Float
    var flag: Bool
    var missing: String?
    var present: Int?
    var status: Status
    var lines: [Line]
    var matrix: [[Int]]
    var optionals: [Int?]
    var counts: [String: Int]
    var byNumber: [Int: String]
    var date: Date
    var data: Data
    var url: URL
    var amount: Decimal
    var empty: [String]
    var nested: [String: [Line]]
}

private func richSample(text: String = "a\"b\\c\n\t\u{1}/é😀\u{7F}") -> RichBody {
    RichBody(
        text: text, int: .min, int8: .min, int16: .max, int32: -123, int64: .max, uint: .max, uint8: 255, uint32: 7,
        uint64: .max, double: -1.25e-7, float: 0.1, flag: true, missing: nil, present: 0, status: .confirmed,
        lines: [RichBody.Line(sku: "sku-1", quantity: 3, price: 9.99), RichBody.Line(sku: "", quantity: 0, price: 1e21)],
        matrix: [[], [1, -2, 3]], optionals: [1, nil, 3], counts: ["a": 1, "b": -2], byNumber: [3: "three", -1: "minus"],
        date: Date(timeIntervalSinceReferenceDate: 123_456.789), data: Data([0, 1, 2, 253, 254, 255]),
        url: URL(string: "https://example.com/a/b?c=d&e=%20")!, amount: Decimal(string: "12.345")!, empty: [],
        nested: ["x": [RichBody.Line(sku: "n", quantity: 1, price: 0)]]
    )
}

/// An enum with associated values: its synthesised encoding uses nested containers, which the
/// streaming encoder declines.
private enum Payment: Codable, Equatable {
    case card(number: String, expires: Int)
    case cash
}

/// Remembers the coding path it was decoded and encoded at.
private struct PathProbe: Codable {
    var decodedAt: [String] = []
    static nonisolated(unsafe) var encodedAt: [String] = []

    init() {}
    init(from decoder: any Decoder) throws {
        decodedAt = decoder.codingPath.map(\.stringValue)
        _ = try decoder.singleValueContainer().decode(Int.self)
    }

    func encode(to encoder: any Encoder) throws {
        PathProbe.encodedAt = encoder.codingPath.map(\.stringValue)
        var container = encoder.singleValueContainer()
        try container.encode(1)
    }
}

private struct PathHolder: Codable {
    struct Inner: Codable { var probe: PathProbe }
    var outer: Inner
}

private struct Small: Codable, Equatable {
    var seq: Int
    var pad: String
}

private func fast<T: Decodable>(_ type: T.Type, _ json: String) throws -> T {
    var text = json
    return try text.withUTF8 { try JSONBodyDecoder.decode(T.self, from: UnsafeRawBufferPointer($0)) }
}

@Suite("Event body coding: the streaming JSON pair agrees with Foundation")
struct EventBodyCodingTests {
    @Test("a value encoded by either encoder decodes equal with either decoder")
    func richValuesRoundTripAcrossBothPairs() throws {
        let value = richSample()
        let fastBytes = try JSONBodyEncoder.encode(value)
        let foundationBytes = try JSONEncoder().encode(value)
        #expect(try JSONDecoder().decode(RichBody.self, from: Data(fastBytes)) == value)
        #expect(try foundationBytes.withUnsafeBytes { try JSONBodyDecoder.decode(RichBody.self, from: $0) } == value)
        #expect(try fastBytes.withUnsafeBytes { try JSONBodyDecoder.decode(RichBody.self, from: $0) } == value)
        #expect(try EventBodyCoding.decode(RichBody.self, from: EventBodyCoding.encode(value)) == value)
    }

    @Test("the encoder writes Foundation's spellings: escapes, whole doubles without .0, Base64, absolute URLs")
    func encoderSpellings() throws {
        #expect(String(decoding: try JSONBodyEncoder.encode(Small(seq: -5, pad: "q\"\\\n\u{1F}")), as: UTF8.self)
            == #"{"seq":-5,"pad":"q\"\\\n\u001f"}"#)
        #expect(String(decoding: try JSONBodyEncoder.encode([1.0, 0.5, -0.0, 1e-5]), as: UTF8.self) == "[1,0.5,-0,1e-05]")
        #expect(String(decoding: try JSONBodyEncoder.encode(Data([1, 2, 3, 255])), as: UTF8.self) == #""AQID/w==""#)
        #expect(String(decoding: try JSONBodyEncoder.encode(URL(string: "https://a.b/c")!), as: UTF8.self) == #""https://a.b/c""#)
        #expect(String(decoding: try JSONBodyEncoder.encode([Int?.none, 2]), as: UTF8.self) == "[null,2]")
    }

    @Test("one writer encodes body after body, each on its own, also after a value it declined")
    func aReusedWriterGivesEachBodyItsOwnBytes() throws {
        let writer = JSONByteWriter()
        let long = try EventBodyCoding.encode(Small(seq: 1, pad: String(repeating: "x", count: 600)), using: writer)
        let declined = try EventBodyCoding.encode(Payment.card(number: "4111", expires: 2028), using: writer)
        let short = try EventBodyCoding.encode(Small(seq: 2, pad: "y"), using: writer)
        #expect(try EventBodyCoding.decode(Small.self, from: long) == Small(seq: 1, pad: String(repeating: "x", count: 600)))
        #expect(try EventBodyCoding.decode(Payment.self, from: declined) == .card(number: "4111", expires: 2028))
        #expect(String(buffer: short) == #"{"seq":2,"pad":"y"}"#)

        // A body past the capacity a writer keeps does not stay in it.
        _ = try EventBodyCoding.encode(Small(seq: 3, pad: String(repeating: "z", count: JSONByteWriter.retainedCapacity)), using: writer)
        #expect(writer.bytes.capacity > JSONByteWriter.retainedCapacity)
        _ = try EventBodyCoding.encode(Small(seq: 4, pad: ""), using: writer)
        #expect(writer.bytes.capacity <= JSONByteWriter.retainedCapacity)
    }

    @Test("values the streaming encoder cannot write go to Foundation, and still decode")
    func encoderDeclinesNestedContainersAndNonFiniteNumbers() throws {
        #expect(throws: JSONBodyEncoder.Unsupported.self) { try JSONBodyEncoder.encode(Payment.card(number: "4111", expires: 2028)) }
        let body = try EventBodyCoding.encode(Payment.card(number: "4111", expires: 2028))
        #expect(try EventBodyCoding.decode(Payment.self, from: body) == .card(number: "4111", expires: 2028))
        #expect(try JSONDecoder().decode(Payment.self, from: Data(body.readableBytesView)) == .card(number: "4111", expires: 2028))
        #expect(try fast(Payment.self, #"{"card":{"number":"4111","expires":2028}}"#) == .card(number: "4111", expires: 2028))
        #expect(try EventBodyCoding.decode(Payment.self, from: EventBodyCoding.encode(Payment.cash)) == .cash)

        #expect(throws: JSONBodyEncoder.Unsupported.self) { try JSONBodyEncoder.encode([Double.nan]) }
        #expect(throws: EncodingError.self) { try EventBodyCoding.encode([Double.infinity]) }
    }

    @Test("what Foundation decides is left to Foundation: integers with fractions, duplicate keys, escaped keys")
    func decoderDeclinesWhereFoundationDecides() throws {
        let declined = [
            #"{"seq":1.0,"pad":""}"#, #"{"seq":1e2,"pad":""}"#, #"{"seq":1,"seq":2,"pad":""}"#, #"{"s\u0065q":1,"seq":2,"pad":""}"#,
            // Foundation tolerates trailing commas; this decoder does not guess.
            #"{"seq":1,"pad":"x",}"#, #"{"seq":1,"pad":"x","extra":[1,2,]}"#,
        ]
        for json in declined {
            #expect(throws: JSONBodyDecoder.Unsupported.self, "\(json)") { try fast(Small.self, json) }
            let expected = try JSONDecoder().decode(Small.self, from: Data(json.utf8))
            #expect(try EventBodyCoding.decode(Small.self, from: ByteBuffer(string: json)) == expected, "\(json)")
        }
    }

    @Test("escapes and surrogate pairs decode to the same text as Foundation's, in values and keys")
    func stringEscapes() throws {
        let json = #"{"seq":0,"pad":"\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00 \u0000end"}"#
        let expected = try JSONDecoder().decode(Small.self, from: Data(json.utf8))
        #expect(try fast(Small.self, json) == expected)
        #expect(try fast(Small.self, #"{"s\u0065q":4,"p\u0061d":"k"}"#) == Small(seq: 4, pad: "k"))
        #expect(try fast([String: Int].self, #"{"a\nb":1,"\u00e9":2}"#) == ["a\nb": 1, "é": 2])
        #expect(expected.pad == "\"\\/\u{8}\u{C}\n\r\té😀 \u{0}end")
    }

    @Test("a malformed body is refused by both decoders, and the error is Foundation's DecodingError")
    func malformedBodiesAreRefused() throws {
        let bodies = [
            "", " ", "{", #"{"seq":1,"pad":"x""#, #"{"seq":1 "pad":"x"}"#,
            #"{"seq":1,"pad":"x"} trailing"#, #"{"seq":01,"pad":"x"}"#, #"{"seq":-,"pad":"x"}"#, #"{"seq":1.,"pad":"x"}"#,
            "{\"seq\":1,\"pad\":\"tab\there\"}", #"{"seq":1,"pad":"\x"}"#, #"{"seq":1,"pad":"\u12"}"#,
            #"{"seq":1,"pad":"x","extra":tru}"#, #"{"seq":1,"pad":"x","extra":{"a"}}"#,
            #"{"seq":1,"pad":"\ud800"}"#, #"{"seq":1,"pad":"x","extra":nul}"#, #"[1,2"#, #"{"seq":1,"pad":"x"}}"#,
        ]
        for body in bodies {
            #expect(throws: (any Error).self, "fast decoder accepted \(body)") { try fast(Small.self, body) }
            #expect(throws: DecodingError.self, "\(body)") { try EventBodyCoding.decode(Small.self, from: ByteBuffer(string: body)) }
        }
        // Invalid UTF-8 inside a string.
        var invalid = ByteBuffer(string: #"{"seq":1,"pad":""#)
        invalid.writeBytes([0xC3, 0x28])
        invalid.writeString(#""}"#)
        #expect(throws: (any Error).self) { try invalid.withUnsafeReadableBytes { try JSONBodyDecoder.decode(Small.self, from: $0) } }
        #expect(throws: DecodingError.self) { try EventBodyCoding.decode(Small.self, from: invalid) }
    }

    @Test("type mismatches and missing keys fail with Foundation's errors")
    func mismatchesFailLikeFoundation() throws {
        for json in [#"{"seq":"1","pad":"x"}"#, #"{"pad":"x"}"#, #"{"seq":1,"pad":2}"#, #"{"seq":99999999999999999999,"pad":"x"}"#, "[]", "null"] {
            #expect(throws: DecodingError.self, "\(json)") { try EventBodyCoding.decode(Small.self, from: ByteBuffer(string: json)) }
        }
    }

    @Test("custom coding code sees the coding path")
    func codingPaths() throws {
        let bytes = try JSONBodyEncoder.encode(PathHolder(outer: .init(probe: PathProbe())))
        #expect(PathProbe.encodedAt == ["outer", "probe"])
        let decoded = try bytes.withUnsafeBytes { try JSONBodyDecoder.decode(PathHolder.self, from: $0) }
        #expect(decoded.outer.probe.decodedAt == ["outer", "probe"])
    }

    @Test("deep nesting is declined, not a stack overflow")
    func deepNestingIsDeclined() throws {
        let deep = String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000)
        #expect(throws: JSONBodyDecoder.Unsupported.self) { try fast([Int].self, deep) }
    }

    @Test("random text, integers and doubles round-trip through every pairing")
    func randomValuesRoundTrip() async {
        let text = zip(
            Gen<UInt8>.value(in: 0...3),
            Gen<UInt32>.value(in: 0...0x10FFFF).array(of: 0...24),
            Gen.letterOrNumber.string(of: 0...40)
        ).map { kind, scalars, ascii -> String in
            switch kind {
            case 0: ascii
            case 1: String(String.UnicodeScalarView(scalars.compactMap { Unicode.Scalar($0 % 0x80) }))  // control characters too
            default: String(String.UnicodeScalarView(scalars.compactMap(Unicode.Scalar.init)))
            }
        }
        let sample = zip(text, Gen<Int64>.value(), Gen<Double>.value(in: -1e300...1e300), Gen<UInt8>.value(in: 0...2))
        await propertyCheck(count: 300, input: sample) { text, integer, real, scale in
            var value = richSample(text: text)
            value.int64 = integer
            value.double = [real, real / 1e290, Double(Int32(truncatingIfNeeded: integer))][Int(scale)]
            value.lines[0].sku = text
            value.counts = [text: Int(truncatingIfNeeded: integer)]
            let fastBytes: [UInt8]
            let foundationBytes: Data
            do {
                fastBytes = try JSONBodyEncoder.encode(value)
                foundationBytes = try JSONEncoder().encode(value)
            } catch {
                Issue.record("encoding failed for \(value): \(error)")
                return
            }
            #expect((try? JSONDecoder().decode(RichBody.self, from: Data(fastBytes))) == value)
            #expect((try? foundationBytes.withUnsafeBytes { try JSONBodyDecoder.decode(RichBody.self, from: $0) }) == value)
            #expect((try? fastBytes.withUnsafeBytes { try JSONBodyDecoder.decode(RichBody.self, from: $0) }) == value)
        }
    }

    @Test("a character to escape is found at every offset of long strings, by the encoder and the decoder")
    func specialCharactersAtEveryOffset() throws {
        for length in 1 ..< 70 {
            for special in ["\"", "\\", "\n", "\u{1}", "\u{1F}"] {
                for offset in 0 ..< length {
                    var characters = Array(repeating: "a", count: length)
                    characters[offset] = special
                    let text = characters.joined() + "é"
                    let fast = try JSONBodyEncoder.encode([text])
                    #expect(Data(fast) == (try JSONEncoder().encode([text])), "length \(length), offset \(offset)")
                    #expect(try fast.withUnsafeBytes { try JSONBodyDecoder.decode([String].self, from: $0) } == [text])
                }
            }
        }
    }

    @Test("the block scan finds the first byte to escape, wherever it is")
    func blockScanFindsTheFirstSpecialByte() async {
        let sample = zip(Gen<UInt8>.value(in: 0...255).array(of: 0...80), Gen<Int>.value(in: 0...80))
        await propertyCheck(count: 2_000, input: sample) { raw, start in
            // Mostly plain bytes, so whole blocks get skipped too.
            let bytes = raw.map { $0 % 5 == 0 ? $0 : 0x78 }
            let from = min(start, bytes.count)
            let found = bytes.withUnsafeBytes { JSONScanner.firstSpecialByte($0, from: from) }
            let isSpecial = { (byte: UInt8) in byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") }
            #expect(found == bytes[from...].firstIndex(where: isSpecial) ?? bytes.count)
        }
    }
}
