import Foundation
import TroupeWire

/// Decodes a `Decodable` value from JSON bytes without building a document tree: the fast path
/// for event bodies (see ``EventBodyCoding``).
///
/// Foundation's `JSONDecoder` parses the whole document into a map of values, then decodes from
/// it with a coding path kept up to date; for a typical 256-byte event that costs ~3.4 µs, a
/// quarter of a subscriber's CPU per event at full load (Benchmarks/README.md, sixth round).
/// This decoder first checks the whole document's syntax in one pass (so a malformed body is
/// refused even where the type ignores it), then reads values where they lie: a keyed container
/// notes where each member's key and value start and finds keys by comparing bytes.
///
/// It is deliberately narrower than Foundation and never more lenient: whatever it does not
/// decode exactly as Foundation would — integers written with a fraction or exponent, duplicate
/// keys, lone surrogates, objects with more than ``maximumMembers`` members, nesting deeper than
/// ``maximumDepth`` — throws ``Unsupported``, and ``EventBodyCoding`` decodes the body again with
/// Foundation, which either decodes it or reports the error users see. Foundation's default
/// strategies are followed: `Data` from Base64, `URL` from a string, `Decimal` from a number,
/// `Date` through its own `Codable` form.
struct JSONBodyDecoder {
    /// The body needs something this decoder leaves to Foundation (or is not valid JSON).
    struct Unsupported: Error, CustomStringConvertible {
        var reason: String
        var offset: Int
        var description: String { "fast JSON decoding unavailable at byte \(offset): \(reason)" }
    }

    /// Deepest nesting handled here.
    static let maximumDepth = 256
    /// Members of one object handled here (keys are compared pairwise for duplicates).
    static let maximumMembers = 64

    /// Decodes a `T` from `bytes`, which must hold exactly one JSON value (whitespace around it allowed).
    static func decode<T: Decodable>(_ type: T.Type, from bytes: UnsafeRawBufferPointer) throws -> T {
        var scanner = JSONScanner(bytes: bytes)
        let start = try scanner.validateDocument()
        let decoder = JSONValueDecoder(bytes: bytes, position: start, depth: 0, parent: nil, key: nil)
        return try decoder.decodeValue(T.self)
    }
}

/// Byte-level JSON syntax: skipping whitespace and whole values, strictly (RFC 8259).
struct JSONScanner {
    let bytes: UnsafeRawBufferPointer
    var index = 0

    init(bytes: UnsafeRawBufferPointer, index: Int = 0) {
        self.bytes = bytes
        self.index = index
    }

    func fail(_ reason: String) -> JSONBodyDecoder.Unsupported {
        JSONBodyDecoder.Unsupported(reason: reason, offset: index)
    }

    var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    /// Checks that the bytes are one valid JSON value; returns where it starts.
    mutating func validateDocument() throws -> Int {
        skipWhitespace()
        let start = index
        try skipValue(depth: 0)
        skipWhitespace()
        guard index == bytes.count else { throw fail("trailing characters") }
        return start
    }

    /// Moves past one value, checking its syntax.
    mutating func skipValue(depth: Int) throws {
        guard depth < JSONBodyDecoder.maximumDepth else { throw fail("nesting too deep") }
        guard let byte = current else { throw fail("unexpected end of input") }
        switch byte {
        case UInt8(ascii: "{"):
            index += 1
            skipWhitespace()
            if current == UInt8(ascii: "}") { index += 1; return }
            while true {
                skipWhitespace()
                guard current == UInt8(ascii: "\"") else { throw fail("expected a key") }
                _ = try skipString()
                skipWhitespace()
                guard current == UInt8(ascii: ":") else { throw fail("expected ':'") }
                index += 1
                skipWhitespace()
                try skipValue(depth: depth + 1)
                skipWhitespace()
                guard let next = current else { throw fail("unterminated object") }
                index += 1
                if next == UInt8(ascii: "}") { return }
                guard next == UInt8(ascii: ",") else { throw fail("expected ',' or '}'") }
            }
        case UInt8(ascii: "["):
            index += 1
            skipWhitespace()
            if current == UInt8(ascii: "]") { index += 1; return }
            while true {
                skipWhitespace()
                try skipValue(depth: depth + 1)
                skipWhitespace()
                guard let next = current else { throw fail("unterminated array") }
                index += 1
                if next == UInt8(ascii: "]") { return }
                guard next == UInt8(ascii: ",") else { throw fail("expected ',' or ']'") }
            }
        case UInt8(ascii: "\""):
            _ = try skipString()
        case UInt8(ascii: "t"): try skipLiteral("true")
        case UInt8(ascii: "f"): try skipLiteral("false")
        case UInt8(ascii: "n"): try skipLiteral("null")
        default:
            _ = try skipNumber()
        }
    }

    private mutating func skipLiteral(_ literal: StaticString) throws {
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count, memcmp(bytes.baseAddress! + index, literal.utf8Start, count) == 0 else {
            throw fail("invalid literal")
        }
        index += count
    }

    /// Moves past a string starting at its opening quote; returns whether it has escapes.
    mutating func skipString() throws -> Bool {
        index += 1
        var escaped = false
        while index < bytes.count {
            // Most of a body is the content of strings: skip it a block at a time.
            index = Self.firstSpecialByte(bytes, from: index)
            guard index < bytes.count else { break }
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                return escaped
            case UInt8(ascii: "\\"):
                escaped = true
                guard index + 1 < bytes.count else { throw fail("unterminated escape") }
                switch bytes[index + 1] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
                     UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    index += 2
                case UInt8(ascii: "u"):
                    guard index + 6 <= bytes.count else { throw fail("short \\u escape") }
                    for offset in 2 ..< 6 where Self.hexValue(bytes[index + offset]) == nil {
                        throw fail("invalid \\u escape")
                    }
                    index += 6
                default:
                    throw fail("invalid escape")
                }
            case 0x00 ..< 0x20:
                throw fail("control character in string")
            default:
                index += 1  // not reached: `firstSpecialByte` stops only at the bytes above
            }
        }
        throw fail("unterminated string")
    }

    /// Moves past a number; returns whether it is a plain integer (no fraction or exponent).
    mutating func skipNumber() throws -> Bool {
        let start = index
        if current == UInt8(ascii: "-") { index += 1 }
        guard let first = current, Self.isDigit(first) else { index = start; throw fail("invalid value") }
        index += 1
        if first == UInt8(ascii: "0"), let next = current, Self.isDigit(next) { throw fail("leading zero") }
        while let byte = current, Self.isDigit(byte) { index += 1 }
        var integral = true
        if current == UInt8(ascii: ".") {
            integral = false
            index += 1
            guard let byte = current, Self.isDigit(byte) else { throw fail("digit expected after '.'") }
            while let byte = current, Self.isDigit(byte) { index += 1 }
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            integral = false
            index += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
            guard let byte = current, Self.isDigit(byte) else { throw fail("digit expected in exponent") }
            while let byte = current, Self.isDigit(byte) { index += 1 }
        }
        return integral
    }

    /// The index of the first byte at or after `start` that needs attention in a JSON string —
    /// `"`, `\\` or a control character — or `bytes.count` when there is none.
    ///
    /// Whole 16-byte blocks are checked at once (SSE2/NEON compares: ~13 instructions per 16
    /// bytes, where a byte loop takes ~5 per byte); the block holding such a byte, and a tail
    /// shorter than a block, are searched eight bytes at a time with ``specialBytes(in:)``.
    /// The form matters to the optimizer: with the comparison vectors built inside the loop
    /// expression the compares were scalarized and `any` became a call, ten times slower, so
    /// the vectors are named constants and the function is compiled on its own
    /// (`@inline(never)`; a call or two per string).
    @inline(never)
    static func firstSpecialByte(_ bytes: UnsafeRawBufferPointer, from start: Int) -> Int {
        guard let base = bytes.baseAddress else { return start }
        let quote = SIMD16<UInt8>(repeating: 0x22)
        let backslash = SIMD16<UInt8>(repeating: 0x5C)
        let firstPrintable = SIMD16<UInt8>(repeating: 0x20)
        var index = start
        while index + 16 <= bytes.count {
            let block = (base + index).loadUnaligned(as: SIMD16<UInt8>.self)
            let special = (block .== quote) .| (block .== backslash) .| (block .< firstPrintable)
            if any(special) { break }
            index += 16
        }
        while index + 8 <= bytes.count {
            let found = specialBytes(in: UInt64(littleEndian: (base + index).loadUnaligned(as: UInt64.self)))
            if found != 0 { return index + found.trailingZeroBitCount / 8 }
            index += 8
        }
        while index < bytes.count {
            let byte = bytes[index]
            if byte < 0x20 || byte == 0x22 || byte == 0x5C { return index }
            index += 1
        }
        return index
    }

    /// The high bit of each byte of `word` (first byte lowest) that is `"`, `\\` or below 0x20.
    /// A plain byte above a flagged one may be flagged too (a borrow carries up), never one
    /// below: the lowest flag is exact.
    @inline(__always)
    static func specialBytes(in word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        let control = (word &- ones &* 0x20) & ~word
        let quoteZero = (quote &- ones) & ~quote
        let backslashZero = (backslash &- ones) & ~backslash
        return (control | quoteZero | backslashZero) & highs
    }

    static func isDigit(_ byte: UInt8) -> Bool { byte &- UInt8(ascii: "0") < 10 }

    static func hexValue(_ byte: UInt8) -> UInt16? {
        HexDigit.value(of: byte).map(UInt16.init)
    }
}

/// The `Decoder` for the value starting at `position` of an already validated document.
final class JSONValueDecoder: Decoder, CodingPathNode {
    let bytes: UnsafeRawBufferPointer
    let position: Int
    let depth: Int
    let parentNode: JSONValueDecoder?
    let pathKey: (any CodingKey)?
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(bytes: UnsafeRawBufferPointer, position: Int, depth: Int, parent: JSONValueDecoder?, key: (any CodingKey)?) {
        self.bytes = bytes
        self.position = position
        self.depth = depth
        self.parentNode = parent
        self.pathKey = key
    }

    var codingPath: [any CodingKey] { pathFromRoot }

    func fail(_ reason: String, at offset: Int? = nil) -> JSONBodyDecoder.Unsupported {
        JSONBodyDecoder.Unsupported(reason: reason, offset: offset ?? position)
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(try JSONKeyedDecodingContainer<Key>(decoder: self))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try JSONUnkeyedDecodingContainer(decoder: self)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        JSONSingleValueDecodingContainer(decoder: self)
    }

    /// A decoder for a nested value.
    func child(at position: Int, key: (any CodingKey)?) throws -> JSONValueDecoder {
        guard depth + 1 < JSONBodyDecoder.maximumDepth else { throw fail("nesting too deep") }
        return JSONValueDecoder(bytes: bytes, position: position, depth: depth + 1, parent: self, key: key)
    }

    // MARK: Values at a position

    func isNull(at position: Int) -> Bool { bytes[position] == UInt8(ascii: "n") }

    func decodeBool(at position: Int) throws -> Bool {
        switch bytes[position] {
        case UInt8(ascii: "t"): true
        case UInt8(ascii: "f"): false
        default: throw fail("not a boolean", at: position)
        }
    }

    func decodeString(at position: Int) throws -> String {
        guard bytes[position] == UInt8(ascii: "\"") else { throw fail("not a string", at: position) }
        var scanner = JSONScanner(bytes: bytes, index: position)
        let escaped = try scanner.skipString()
        let content = UnsafeRawBufferPointer(rebasing: bytes[(position + 1) ..< (scanner.index - 1)])
        if !escaped {
            guard let text = UTF8Text.string(validating: content) else { throw fail("invalid UTF-8", at: position) }
            return text
        }
        return try unescape(content, at: position)
    }

    private func unescape(_ content: UnsafeRawBufferPointer, at position: Int) throws -> String {
        var output: [UInt8] = []
        output.reserveCapacity(content.count)
        var index = 0
        while index < content.count {
            let byte = content[index]
            guard byte == UInt8(ascii: "\\") else {
                output.append(byte)
                index += 1
                continue
            }
            let kind = content[index + 1]
            index += 2
            switch kind {
            case UInt8(ascii: "b"): output.append(0x08)
            case UInt8(ascii: "f"): output.append(0x0C)
            case UInt8(ascii: "n"): output.append(0x0A)
            case UInt8(ascii: "r"): output.append(0x0D)
            case UInt8(ascii: "t"): output.append(0x09)
            case UInt8(ascii: "u"):
                var unit = Self.hex4(content, index)
                index += 4
                if UTF16.isLeadSurrogate(unit) {
                    // Only a well-formed pair is decoded here; a lone surrogate is Foundation's call.
                    guard index + 6 <= content.count, content[index] == UInt8(ascii: "\\"), content[index + 1] == UInt8(ascii: "u") else {
                        throw fail("lone surrogate", at: position)
                    }
                    let trail = Self.hex4(content, index + 2)
                    guard UTF16.isTrailSurrogate(trail) else { throw fail("lone surrogate", at: position) }
                    index += 6
                    let scalar = UTF16.decode(UTF16.EncodedScalar([unit, trail]))
                    output.append(contentsOf: UTF8.encode(scalar)!)
                    continue
                }
                guard !UTF16.isTrailSurrogate(unit), let scalar = Unicode.Scalar(unit) else { throw fail("lone surrogate", at: position) }
                unit = 0
                output.append(contentsOf: UTF8.encode(scalar)!)
            default:
                output.append(kind)  // \" \\ \/
            }
        }
        guard let text = UTF8Text.string(validating: output) else { throw fail("invalid UTF-8", at: position) }
        return text
    }

    private static func hex4(_ content: UnsafeRawBufferPointer, _ index: Int) -> UInt16 {
        var value: UInt16 = 0
        for offset in 0 ..< 4 { value = value << 4 | (JSONScanner.hexValue(content[index + offset]) ?? 0) }
        return value
    }

    /// An integer written as plain digits that fits `I`; anything else is left to Foundation.
    func decodeInteger<I: FixedWidthInteger>(_ type: I.Type, at position: Int) throws -> I {
        var index = position
        let negative = bytes[index] == UInt8(ascii: "-")
        if negative { index += 1 }
        var value: I = 0
        var digits = 0
        while index < bytes.count, JSONScanner.isDigit(bytes[index]) {
            let digit = I(bytes[index] &- UInt8(ascii: "0"))
            let (shifted, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (next, overflow2) = negative ? shifted.subtractingReportingOverflow(digit) : shifted.addingReportingOverflow(digit)
            guard !overflow1, !overflow2 else { throw fail("integer out of range", at: position) }
            value = next
            digits += 1
            index += 1
        }
        guard digits > 0 else { throw fail("not a number", at: position) }
        if index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"): throw fail("integer with a fraction or exponent", at: position)
            default: break
            }
        }
        return value
    }

    func decodeDouble(at position: Int) throws -> Double {
        try decodeFloatingPoint(Double.self, at: position)
    }

    /// A number parsed straight as `F` (as Foundation does: no rounding through another type);
    /// one out of `F`'s range is Foundation's call.
    func decodeFloatingPoint<F: BinaryFloatingPoint & LosslessStringConvertible>(_ type: F.Type, at position: Int) throws -> F {
        guard let value = F(try numberText(at: position)), value.isFinite else { throw fail("number out of range", at: position) }
        return value
    }

    /// The text of the number at `position`.
    private func numberText(at position: Int) throws -> String {
        guard bytes[position] == UInt8(ascii: "-") || JSONScanner.isDigit(bytes[position]) else { throw fail("not a number", at: position) }
        var scanner = JSONScanner(bytes: bytes, index: position)
        _ = try scanner.skipNumber()
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[position ..< scanner.index]), as: UTF8.self)
    }

    /// Whether ``decodeScalar(_:at:)`` decodes `type` in place (the same list of types). Asked
    /// first, so that decoding a non-scalar never builds an optional `T` (a run-time metadata
    /// lookup per call when `T` is not known at compile time).
    private static func isScalar(_ type: Any.Type) -> Bool {
        type == String.self || type == Int.self || type == Bool.self || type == Double.self
            || type == Data.self || type == URL.self || type == Decimal.self
    }

    /// The common scalars and Foundation's special types (`Data` from Base64, `URL` from a
    /// string, `Decimal` from a number) at `position`. Only called for types ``isScalar(_:)``
    /// lists: a type added here must be added there too.
    ///
    /// Returns `T` itself, not `T?`, and converts by `unsafeBitCast` once `T` is known to be
    /// the decoded type: where `T` is not known at compile time (a node's handlers), an optional
    /// `T` in the function — even one only a scalar path would fill — looked up `Optional<T>`'s
    /// metadata on every call, and each `as? T` was a dynamic cast.
    @inline(never)
    private func decodeScalar<T: Decodable>(_ type: T.Type, at position: Int) throws -> T {
        if T.self == String.self { return unsafeBitCast(try decodeString(at: position), to: T.self) }
        if T.self == Int.self { return unsafeBitCast(try decodeInteger(Int.self, at: position), to: T.self) }
        if T.self == Bool.self { return unsafeBitCast(try decodeBool(at: position), to: T.self) }
        if T.self == Double.self { return unsafeBitCast(try decodeDouble(at: position), to: T.self) }
        if T.self == Data.self {
            guard let data = Data(base64Encoded: try decodeString(at: position)) else { throw fail("invalid Base64", at: position) }
            return unsafeBitCast(data, to: T.self)
        }
        if T.self == URL.self {
            guard let url = URL(string: try decodeString(at: position)) else { throw fail("invalid URL", at: position) }
            return unsafeBitCast(url, to: T.self)
        }
        if T.self == Decimal.self {
            guard let decimal = Decimal(string: try numberText(at: position)) else { throw fail("not a decimal", at: position) }
            return unsafeBitCast(decimal, to: T.self)
        }
        throw fail("not a scalar type: \(T.self)", at: position)
    }

    /// Any decodable at `position`: a scalar in place, else the type's own `init(from:)`.
    func decode<T: Decodable>(_ type: T.Type, at position: Int, key: (any CodingKey)?) throws -> T {
        if Self.isScalar(T.self) { return try decodeScalar(T.self, at: position) }
        return try T(from: child(at: position, key: key))
    }

    /// Decodes this decoder's own value.
    func decodeValue<T: Decodable>(_ type: T.Type) throws -> T {
        if Self.isScalar(T.self) { return try decodeScalar(T.self, at: position) }
        return try T(from: self)
    }
}

/// A keyed container over one object: member positions noted once (by ``JSONObjectMembers``),
/// keys found by bytes.
struct JSONKeyedDecodingContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let decoder: JSONValueDecoder
    private let members: JSONObjectMembers
    var codingPath: [any CodingKey] { decoder.codingPath }

    init(decoder: JSONValueDecoder) throws {
        self.decoder = decoder
        members = try JSONObjectMembers(decoder: decoder)
    }

    /// Where the value of `key` starts, or nil.
    private func find(_ key: Key) -> Int? {
        members.valuePosition(of: key.stringValue, in: decoder.bytes)
    }

    private func require(_ key: Key) throws -> Int {
        guard let position = find(key) else {
            throw DecodingError.keyNotFound(key, DecodingError.Context(codingPath: codingPath, debugDescription: "No value for key \(key.stringValue)"))
        }
        return position
    }

    var allKeys: [Key] {
        members.keyTexts(in: decoder.bytes).compactMap { Key(stringValue: $0) }
    }

    func contains(_ key: Key) -> Bool { find(key) != nil }

    func decodeNil(forKey key: Key) throws -> Bool { decoder.isNull(at: try require(key)) }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try decoder.decodeBool(at: require(key)) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try decoder.decodeString(at: require(key)) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try decoder.decodeDouble(at: require(key)) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try decoder.decodeFloatingPoint(Float.self, at: require(key)) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try decoder.decodeInteger(Int.self, at: require(key)) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try decoder.decodeInteger(Int8.self, at: require(key)) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try decoder.decodeInteger(Int16.self, at: require(key)) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try decoder.decodeInteger(Int32.self, at: require(key)) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try decoder.decodeInteger(Int64.self, at: require(key)) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try decoder.decodeInteger(UInt.self, at: require(key)) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try decoder.decodeInteger(UInt8.self, at: require(key)) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try decoder.decodeInteger(UInt16.self, at: require(key)) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try decoder.decodeInteger(UInt32.self, at: require(key)) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try decoder.decodeInteger(UInt64.self, at: require(key)) }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try decoder.decode(T.self, at: require(key), key: key)
    }

    func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? {
        guard let position = find(key), !decoder.isNull(at: position) else { return nil }
        return try decoder.decodeBool(at: position)
    }

    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? {
        guard let position = find(key), !decoder.isNull(at: position) else { return nil }
        return try decoder.decodeString(at: position)
    }

    func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? {
        guard let position = find(key), !decoder.isNull(at: position) else { return nil }
        return try decoder.decodeInteger(Int.self, at: position)
    }

    func decodeIfPresent(_ type: Int64.Type, forKey key: Key) throws -> Int64? {
        guard let position = find(key), !decoder.isNull(at: position) else { return nil }
        return try decoder.decodeInteger(Int64.self, at: position)
    }

    func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? {
        guard let position = find(key), !decoder.isNull(at: position) else { return nil }
        return try decoder.decodeDouble(at: position)
    }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard let position = find(key), !decoder.isNull(at: position) else { return nil }
        return try decoder.decode(T.self, at: position, key: key)
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try decoder.child(at: require(key), key: key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try decoder.child(at: require(key), key: key).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder { throw decoder.fail("superDecoder") }
    func superDecoder(forKey key: Key) throws -> any Decoder { throw decoder.fail("superDecoder") }
}

/// An unkeyed container walking an array's elements in order.
struct JSONUnkeyedDecodingContainer: UnkeyedDecodingContainer {
    let decoder: JSONValueDecoder
    /// Start of the next element, or of the closing bracket when at the end.
    private var cursor: Int
    private(set) var currentIndex = 0
    private var total: Int?
    var codingPath: [any CodingKey] { decoder.codingPath }

    init(decoder: JSONValueDecoder) throws {
        self.decoder = decoder
        guard decoder.bytes[decoder.position] == UInt8(ascii: "[") else { throw decoder.fail("not an array") }
        var scanner = JSONScanner(bytes: decoder.bytes, index: decoder.position + 1)
        scanner.skipWhitespace()
        cursor = scanner.index
    }

    var isAtEnd: Bool { decoder.bytes[cursor] == UInt8(ascii: "]") }

    var count: Int? {
        if let total { return total }
        var scanner = JSONScanner(bytes: decoder.bytes, index: decoder.position + 1)
        var elements = 0
        scanner.skipWhitespace()
        while scanner.current != UInt8(ascii: "]") {
            guard (try? scanner.skipValue(depth: decoder.depth + 1)) != nil else { return nil }
            elements += 1
            scanner.skipWhitespace()
            if scanner.current == UInt8(ascii: ",") { scanner.index += 1 }
            scanner.skipWhitespace()
        }
        return elements
    }

    /// Position of the next element, moving the cursor past it.
    private mutating func next() throws -> Int {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(Any.self, DecodingError.Context(codingPath: codingPath, debugDescription: "Unkeyed container is at end."))
        }
        let position = cursor
        var scanner = JSONScanner(bytes: decoder.bytes, index: cursor)
        try scanner.skipValue(depth: decoder.depth + 1)
        scanner.skipWhitespace()
        if scanner.current == UInt8(ascii: ",") { scanner.index += 1 }
        scanner.skipWhitespace()
        cursor = scanner.index
        currentIndex += 1
        return position
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, decoder.isNull(at: cursor) else { return false }
        _ = try next()
        return true
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool { try decoder.decodeBool(at: next()) }
    mutating func decode(_ type: String.Type) throws -> String { try decoder.decodeString(at: next()) }
    mutating func decode(_ type: Double.Type) throws -> Double { try decoder.decodeDouble(at: next()) }
    mutating func decode(_ type: Float.Type) throws -> Float { try decoder.decodeFloatingPoint(Float.self, at: next()) }
    mutating func decode(_ type: Int.Type) throws -> Int { try decoder.decodeInteger(Int.self, at: next()) }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try decoder.decodeInteger(Int8.self, at: next()) }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try decoder.decodeInteger(Int16.self, at: next()) }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try decoder.decodeInteger(Int32.self, at: next()) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try decoder.decodeInteger(Int64.self, at: next()) }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try decoder.decodeInteger(UInt.self, at: next()) }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try decoder.decodeInteger(UInt8.self, at: next()) }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try decoder.decodeInteger(UInt16.self, at: next()) }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try decoder.decodeInteger(UInt32.self, at: next()) }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try decoder.decodeInteger(UInt64.self, at: next()) }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try decoder.decode(T.self, at: next(), key: nil)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        try decoder.child(at: next(), key: nil).container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try decoder.child(at: next(), key: nil).unkeyedContainer()
    }

    mutating func superDecoder() throws -> any Decoder { throw decoder.fail("superDecoder") }
}

/// The single value of a decoder.
struct JSONSingleValueDecodingContainer: SingleValueDecodingContainer {
    let decoder: JSONValueDecoder
    var codingPath: [any CodingKey] { decoder.codingPath }

    func decodeNil() -> Bool { decoder.isNull(at: decoder.position) }
    func decode(_ type: Bool.Type) throws -> Bool { try decoder.decodeBool(at: decoder.position) }
    func decode(_ type: String.Type) throws -> String { try decoder.decodeString(at: decoder.position) }
    func decode(_ type: Double.Type) throws -> Double { try decoder.decodeDouble(at: decoder.position) }
    func decode(_ type: Float.Type) throws -> Float { try decoder.decodeFloatingPoint(Float.self, at: decoder.position) }
    func decode(_ type: Int.Type) throws -> Int { try decoder.decodeInteger(Int.self, at: decoder.position) }
    func decode(_ type: Int8.Type) throws -> Int8 { try decoder.decodeInteger(Int8.self, at: decoder.position) }
    func decode(_ type: Int16.Type) throws -> Int16 { try decoder.decodeInteger(Int16.self, at: decoder.position) }
    func decode(_ type: Int32.Type) throws -> Int32 { try decoder.decodeInteger(Int32.self, at: decoder.position) }
    func decode(_ type: Int64.Type) throws -> Int64 { try decoder.decodeInteger(Int64.self, at: decoder.position) }
    func decode(_ type: UInt.Type) throws -> UInt { try decoder.decodeInteger(UInt.self, at: decoder.position) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try decoder.decodeInteger(UInt8.self, at: decoder.position) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try decoder.decodeInteger(UInt16.self, at: decoder.position) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try decoder.decodeInteger(UInt32.self, at: decoder.position) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try decoder.decodeInteger(UInt64.self, at: decoder.position) }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try decoder.decode(T.self, at: decoder.position, key: nil)
    }
}
