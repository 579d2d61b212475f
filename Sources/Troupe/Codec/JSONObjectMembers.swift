import Foundation

/// Where the members of one JSON object are: each key's bytes and the start of its value,
/// found in one pass when a keyed container opens.
///
/// Kept apart from ``JSONKeyedDecodingContainer`` on purpose: that container is generic over
/// its `CodingKey`, and a caller in another module (every service's `Decodable` event) runs it
/// unspecialized, so each touch of a type nested in it asks the runtime for generic metadata
/// (about 330 instructions a time, four times per member list; Benchmarks/README.md, eighth
/// round). The scan and the lookups here are plain code; the generic container only forwards.
struct JSONObjectMembers {
    /// One member: its key's span in the body and where its value starts.
    struct Member {
        var keyStart: Int
        var keyEnd: Int
        /// The key's text when it has escapes (compared as text, not bytes).
        var unescaped: String?
        var value: Int
    }

    private(set) var members: [Member] = []

    /// Scans the object that starts at `decoder.position`, checking every member's value is
    /// well-formed and no key appears twice.
    init(decoder: JSONValueDecoder) throws {
        let bytes = decoder.bytes
        guard bytes[decoder.position] == UInt8(ascii: "{") else { throw decoder.fail("not an object") }
        var scanner = JSONScanner(bytes: bytes, index: decoder.position + 1)
        scanner.skipWhitespace()
        if scanner.current == UInt8(ascii: "}") { return }
        members.reserveCapacity(8)
        while true {
            scanner.skipWhitespace()
            let keyStart = scanner.index + 1
            let escaped = try scanner.skipString()
            let keyEnd = scanner.index - 1
            scanner.skipWhitespace()
            scanner.index += 1  // ':' (validated)
            scanner.skipWhitespace()
            let member = Member(keyStart: keyStart, keyEnd: keyEnd, unescaped: escaped ? try decoder.decodeString(at: keyStart - 1) : nil,
                                value: scanner.index)
            guard members.count < JSONBodyDecoder.maximumMembers else { throw decoder.fail("too many members") }
            for other in members where Self.isSameKey(other, member, in: bytes) {
                throw decoder.fail("duplicate key")
            }
            members.append(member)
            try scanner.skipValue(depth: decoder.depth + 1)
            scanner.skipWhitespace()
            let next = scanner.current
            scanner.index += 1
            if next == UInt8(ascii: "}") { return }
        }
    }

    /// Where the value of the member named `name` starts, or nil.
    func valuePosition(of name: String, in bytes: UnsafeRawBufferPointer) -> Int? {
        var utf8Name = name
        return utf8Name.withUTF8 { utf8 -> Int? in
            for member in members {
                if let unescaped = member.unescaped {
                    if unescaped == name { return member.value }
                } else if member.keyEnd - member.keyStart == utf8.count,
                          utf8.isEmpty || memcmp(bytes.baseAddress! + member.keyStart, utf8.baseAddress!, utf8.count) == 0 {
                    return member.value
                }
            }
            return nil
        }
    }

    /// Every key's text, in the order the object lists them.
    func keyTexts(in bytes: UnsafeRawBufferPointer) -> [String] {
        members.map { Self.keyText($0, in: bytes) }
    }

    private static func keyText(_ member: Member, in bytes: UnsafeRawBufferPointer) -> String {
        member.unescaped ?? String(decoding: UnsafeRawBufferPointer(rebasing: bytes[member.keyStart ..< member.keyEnd]), as: UTF8.self)
    }

    private static func isSameKey(_ first: Member, _ second: Member, in bytes: UnsafeRawBufferPointer) -> Bool {
        if first.unescaped != nil || second.unescaped != nil { return keyText(first, in: bytes) == keyText(second, in: bytes) }
        let length = first.keyEnd - first.keyStart
        return length == second.keyEnd - second.keyStart
            && memcmp(bytes.baseAddress! + first.keyStart, bytes.baseAddress! + second.keyStart, length) == 0
    }
}
