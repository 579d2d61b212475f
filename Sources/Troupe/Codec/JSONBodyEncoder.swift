import Foundation
import NIOCore

/// Encodes an `Encodable` value as JSON straight into bytes, in one pass: the fast path for
/// event bodies (see ``EventBodyCoding``).
///
/// Foundation's `JSONEncoder` first builds a tree of boxed values and then serialises it; for a
/// typical 256-byte event that costs ~1.9 µs, a measurable share of a publisher's CPU per event
/// (Benchmarks/README.md, sixth round). This encoder writes each value where it goes, so it
/// supports what a streaming writer can: containers used one at a time, in order — which is
/// everything synthesised `Codable` conformances of structs and classes do. Anything else
/// (nested containers kept open while the parent continues, a second container from one
/// encoder, `superEncoder`, non-finite floats) throws ``JSONBodyEncoder/Unsupported`` before
/// any output is used, and ``EventBodyCoding`` then encodes with Foundation, whose output means
/// the same.
///
/// The output follows Foundation's default strategies, so either decoder reads it: `Date` as its
/// own `Codable` form (seconds since 2001 as a number), `Data` as Base64, `URL` as its absolute
/// string, `Decimal` as a number. Keys appear in the order the value encodes them; `/` is not
/// escaped.
struct JSONBodyEncoder {
    /// The value needs something this streaming encoder does not do; encode it with Foundation.
    struct Unsupported: Error, CustomStringConvertible {
        var reason: String
        var description: String { "fast JSON encoding unavailable: \(reason)" }
    }

    /// Maximum nesting of containers; deeper values are left to Foundation.
    static let maximumDepth = 256

    /// `value` as JSON bytes.
    static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        let writer = JSONByteWriter()
        try writer.writeValue(value, depth: 0)
        return writer.bytes
    }
}

/// The output buffer and the value writer shared by every container of one encoding.
final class JSONByteWriter {
    // Only ever touched by the one encoding that owns this writer; the dynamic exclusivity
    // checks on every append were a third of the encoding time (measured).
    @exclusivity(unchecked) var bytes: [UInt8] = []

    init() {
        bytes.reserveCapacity(256)
    }

    /// The most capacity ``reset()`` keeps: a writer a node keeps for every body must not hold
    /// on to the memory of one unusually large body.
    static let retainedCapacity = 64 * 1024

    /// Empties the buffer for the next encoding, keeping its capacity up to ``retainedCapacity``.
    func reset() {
        if bytes.capacity > Self.retainedCapacity {
            bytes = []
            bytes.reserveCapacity(256)
        } else {
            bytes.removeAll(keepingCapacity: true)
        }
    }

    /// A copy of the bytes written, in a buffer of their own.
    func buffer() -> ByteBuffer {
        bytes.withUnsafeBytes { ByteBuffer(bytes: $0) }
    }

    /// Writes any encodable value: the special Foundation types first, then the value's own
    /// `encode(to:)` through a one-shot encoder that closes the container it opened.
    func writeValue<T: Encodable>(_ value: T, depth: Int, parent: JSONStreamingEncoder? = nil, key: (any CodingKey)? = nil) throws {
        if T.self == String.self { return writeString(value as! String) }
        if T.self == Int.self { return writeInteger(value as! Int) }
        if T.self == Bool.self { return bytes.append(contentsOf: (value as! Bool) ? Self.trueLiteral : Self.falseLiteral) }
        if T.self == Double.self { return try writeFloatingPoint(value as! Double) }
        if T.self == Data.self { return writeString((value as! Data).base64EncodedString()) }
        if T.self == URL.self { return writeString((value as! URL).absoluteString) }
        if T.self == Decimal.self { return bytes.append(contentsOf: (value as! Decimal).description.utf8) }
        guard depth < JSONBodyEncoder.maximumDepth else { throw JSONBodyEncoder.Unsupported(reason: "nesting deeper than \(JSONBodyEncoder.maximumDepth)") }
        let encoder = JSONStreamingEncoder(writer: self, depth: depth + 1, parent: parent, key: key)
        try value.encode(to: encoder)
        try encoder.finish()
    }

    static let trueLiteral = Array("true".utf8)
    static let falseLiteral = Array("false".utf8)
    static let nullLiteral = Array("null".utf8)
    private static let hexDigits = Array("0123456789abcdef".utf8)

    func writeNull() {
        bytes.append(contentsOf: Self.nullLiteral)
    }

    func writeInteger<I: BinaryInteger>(_ value: I) {
        if value == 0 { return bytes.append(UInt8(ascii: "0")) }
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        // Digits of the magnitude, least significant first, into a small stack buffer.
        var magnitude = value.magnitude
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 40) { digits in
            var count = 0
            while magnitude > 0 {
                let (quotient, remainder) = magnitude.quotientAndRemainder(dividingBy: 10)
                digits[count] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: remainder)
                count += 1
                magnitude = quotient
            }
            while count > 0 {
                count -= 1
                bytes.append(digits[count])
            }
        }
    }

    /// Shortest round-trip form, with Foundation's spelling: no `.0` on whole numbers.
    func writeFloatingPoint<F: BinaryFloatingPoint & CustomStringConvertible>(_ value: F) throws {
        guard value.isFinite else { throw JSONBodyEncoder.Unsupported(reason: "non-finite number \(value)") }
        var text = value.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        bytes.append(contentsOf: text.utf8)
    }

    /// A JSON string: `"`, `\` and control characters escaped, everything else as UTF-8.
    func writeString(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        var text = value
        text.withUTF8 { utf8 in
            var runStart = 0
            var index = 0
            while index < utf8.count {
                index = JSONScanner.firstSpecialByte(UnsafeRawBufferPointer(utf8), from: index)
                guard index < utf8.count else { break }
                let byte = utf8[index]
                index += 1
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart ..< index - 1]))
                runStart = index
                bytes.append(UInt8(ascii: "\\"))
                switch byte {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes.append(byte)
                case 0x0A: bytes.append(UInt8(ascii: "n"))
                case 0x0D: bytes.append(UInt8(ascii: "r"))
                case 0x09: bytes.append(UInt8(ascii: "t"))
                case 0x08: bytes.append(UInt8(ascii: "b"))
                case 0x0C: bytes.append(UInt8(ascii: "f"))
                default:
                    bytes.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                                              Self.hexDigits[Int(byte >> 4)], Self.hexDigits[Int(byte & 0xF)]])
                }
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...]))
        }
        bytes.append(UInt8(ascii: "\""))
    }
}

/// The `Encoder` handed to one value's `encode(to:)`: it allows one container, writes its
/// opening bracket at once and, through ``finish()``, the closing one after the value returns.
final class JSONStreamingEncoder: Encoder, CodingPathNode {
    enum Opened { case none, keyed, unkeyed, single }

    let writer: JSONByteWriter
    let depth: Int
    let parentNode: JSONStreamingEncoder?
    let pathKey: (any CodingKey)?
    var codingPath: [any CodingKey] { pathFromRoot }
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    private(set) var opened = Opened.none
    /// Entries written so far into the open keyed or unkeyed container (for commas).
    @exclusivity(unchecked) var count = 0
    /// A single-value container wrote its value.
    var wroteSingleValue = false
    /// Set when a container was asked for what streaming cannot do; ``finish()`` then throws.
    var unsupported: String?

    init(writer: JSONByteWriter, depth: Int, parent: JSONStreamingEncoder?, key: (any CodingKey)?) {
        self.writer = writer
        self.depth = depth
        self.parentNode = parent
        self.pathKey = key
    }

    private func open(_ kind: Opened) -> Bool {
        guard opened == .none else {
            unsupported = "a second container from one encoder"
            return false
        }
        opened = kind
        switch kind {
        case .keyed: writer.bytes.append(UInt8(ascii: "{"))
        case .unkeyed: writer.bytes.append(UInt8(ascii: "["))
        case .single, .none: break
        }
        return true
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        _ = open(.keyed)
        return KeyedEncodingContainer(JSONStreamingKeyedContainer<Key>(encoder: self))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        _ = open(.unkeyed)
        return JSONStreamingUnkeyedContainer(encoder: self)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        _ = open(.single)
        return JSONStreamingSingleValueContainer(encoder: self)
    }

    /// Closes what the value opened; a value that opened nothing encodes as `{}` (Foundation's
    /// behaviour for an empty `encode(to:)`).
    func finish() throws {
        if let unsupported { throw JSONBodyEncoder.Unsupported(reason: unsupported) }
        switch opened {
        case .none: writer.bytes.append(contentsOf: [UInt8(ascii: "{"), UInt8(ascii: "}")])
        case .keyed: writer.bytes.append(UInt8(ascii: "}"))
        case .unkeyed: writer.bytes.append(UInt8(ascii: "]"))
        case .single:
            if !wroteSingleValue { throw JSONBodyEncoder.Unsupported(reason: "a single-value container with no value") }
        }
    }

    /// Writes the separator before the next entry of the open keyed or unkeyed container.
    func beginEntry() {
        if count > 0 { writer.bytes.append(UInt8(ascii: ",")) }
        count += 1
    }

    /// Marks the encoding as one for Foundation; returns a throwaway encoder to satisfy the API.
    func refuse(_ reason: String) -> JSONStreamingEncoder {
        if unsupported == nil { unsupported = reason }
        return JSONStreamingEncoder(writer: JSONByteWriter(), depth: depth, parent: parentNode, key: pathKey)
    }
}

/// A keyed container writing `"key":value` pairs in call order.
struct JSONStreamingKeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let encoder: JSONStreamingEncoder
    var codingPath: [any CodingKey] { encoder.codingPath }

    private func writeKey(_ key: Key) {
        encoder.beginEntry()
        encoder.writer.writeString(key.stringValue)
        encoder.writer.bytes.append(UInt8(ascii: ":"))
    }

    mutating func encodeNil(forKey key: Key) throws {
        writeKey(key)
        encoder.writer.writeNull()
    }

    mutating func encode(_ value: Bool, forKey key: Key) throws {
        writeKey(key)
        encoder.writer.bytes.append(contentsOf: value ? JSONByteWriter.trueLiteral : JSONByteWriter.falseLiteral)
    }

    mutating func encode(_ value: String, forKey key: Key) throws {
        writeKey(key)
        encoder.writer.writeString(value)
    }

    mutating func encode(_ value: Double, forKey key: Key) throws {
        writeKey(key)
        try encoder.writer.writeFloatingPoint(value)
    }

    mutating func encode(_ value: Float, forKey key: Key) throws {
        writeKey(key)
        try encoder.writer.writeFloatingPoint(value)
    }

    mutating func encode(_ value: Int, forKey key: Key) throws { writeKey(key); encoder.writer.writeInteger(value) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { writeKey(key); encoder.writer.writeInteger(value) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { writeKey(key); encoder.writer.writeInteger(value) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { writeKey(key); encoder.writer.writeInteger(value) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { writeKey(key); encoder.writer.writeInteger(value) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { writeKey(key); encoder.writer.writeInteger(value) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { writeKey(key); encoder.writer.writeInteger(value) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { writeKey(key); encoder.writer.writeInteger(value) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { writeKey(key); encoder.writer.writeInteger(value) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { writeKey(key); encoder.writer.writeInteger(value) }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        writeKey(key)
        try encoder.writer.writeValue(value, depth: encoder.depth, parent: encoder, key: key)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        encoder.refuse("a nested keyed container").container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        encoder.refuse("a nested unkeyed container").unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder { encoder.refuse("superEncoder") }
    mutating func superEncoder(forKey key: Key) -> any Encoder { encoder.refuse("superEncoder") }
}

/// An unkeyed container writing array elements in call order.
struct JSONStreamingUnkeyedContainer: UnkeyedEncodingContainer {
    let encoder: JSONStreamingEncoder
    var codingPath: [any CodingKey] { encoder.codingPath }
    var count: Int { encoder.count }

    mutating func encodeNil() throws {
        encoder.beginEntry()
        encoder.writer.writeNull()
    }

    mutating func encode(_ value: Bool) throws {
        encoder.beginEntry()
        encoder.writer.bytes.append(contentsOf: value ? JSONByteWriter.trueLiteral : JSONByteWriter.falseLiteral)
    }

    mutating func encode(_ value: String) throws {
        encoder.beginEntry()
        encoder.writer.writeString(value)
    }

    mutating func encode(_ value: Double) throws {
        encoder.beginEntry()
        try encoder.writer.writeFloatingPoint(value)
    }

    mutating func encode(_ value: Float) throws {
        encoder.beginEntry()
        try encoder.writer.writeFloatingPoint(value)
    }

    mutating func encode(_ value: Int) throws { encoder.beginEntry(); encoder.writer.writeInteger(value) }
    mutating func encode(_ value: Int8) throws { encoder.beginEntry(); encoder.writer.writeInteger(value) }
    mutating func encode(_ value: Int16) throws { encoder.beginEntry(); encoder.writer.writeInteger(value) }
    mutating func encode(_ value: Int32) throws { encoder.beginEntry(); encoder.writer.writeInteger(value) }
    mutating func encode(_ value: Int64) throws { encoder.beginEntry(); encoder.writer.writeInteger(value) }
    mutating func encode(_ value: UInt) throws { encoder.beginEntry(); encoder.writer.writeInteger(value) }
    mutating func encode(_ value: UInt8) throws { encoder.beginEntry(); encoder.writer.writeInteger(value) }
    mutating func encode(_ value: UInt16) throws { encoder.beginEntry(); encoder.writer.writeInteger(value) }
    mutating func encode(_ value: UInt32) throws { encoder.beginEntry(); encoder.writer.writeInteger(value) }
    mutating func encode(_ value: UInt64) throws { encoder.beginEntry(); encoder.writer.writeInteger(value) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        encoder.beginEntry()
        try encoder.writer.writeValue(value, depth: encoder.depth, parent: encoder)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        encoder.refuse("a nested keyed container").container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        encoder.refuse("a nested unkeyed container").unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder { encoder.refuse("superEncoder") }
}

/// A single-value container: exactly one value, written in place.
struct JSONStreamingSingleValueContainer: SingleValueEncodingContainer {
    let encoder: JSONStreamingEncoder
    var codingPath: [any CodingKey] { encoder.codingPath }

    private func claim() throws {
        guard !encoder.wroteSingleValue else { throw JSONBodyEncoder.Unsupported(reason: "two values in a single-value container") }
        encoder.wroteSingleValue = true
    }

    mutating func encodeNil() throws { try claim(); encoder.writer.writeNull() }
    mutating func encode(_ value: Bool) throws {
        try claim()
        encoder.writer.bytes.append(contentsOf: value ? JSONByteWriter.trueLiteral : JSONByteWriter.falseLiteral)
    }
    mutating func encode(_ value: String) throws { try claim(); encoder.writer.writeString(value) }
    mutating func encode(_ value: Double) throws { try claim(); try encoder.writer.writeFloatingPoint(value) }
    mutating func encode(_ value: Float) throws { try claim(); try encoder.writer.writeFloatingPoint(value) }
    mutating func encode(_ value: Int) throws { try claim(); encoder.writer.writeInteger(value) }
    mutating func encode(_ value: Int8) throws { try claim(); encoder.writer.writeInteger(value) }
    mutating func encode(_ value: Int16) throws { try claim(); encoder.writer.writeInteger(value) }
    mutating func encode(_ value: Int32) throws { try claim(); encoder.writer.writeInteger(value) }
    mutating func encode(_ value: Int64) throws { try claim(); encoder.writer.writeInteger(value) }
    mutating func encode(_ value: UInt) throws { try claim(); encoder.writer.writeInteger(value) }
    mutating func encode(_ value: UInt8) throws { try claim(); encoder.writer.writeInteger(value) }
    mutating func encode(_ value: UInt16) throws { try claim(); encoder.writer.writeInteger(value) }
    mutating func encode(_ value: UInt32) throws { try claim(); encoder.writer.writeInteger(value) }
    mutating func encode(_ value: UInt64) throws { try claim(); encoder.writer.writeInteger(value) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        try claim()
        try encoder.writer.writeValue(value, depth: encoder.depth, parent: encoder)
    }
}
