/// Matches event type names: an exact name (`OrderPlaced`), or a glob in which `*` stands for any
/// run of characters, possibly empty (`Order*`, `*Declined`, `*`).
///
/// Matching is linear in the length of the type name (the classic two-pointer wildcard match with
/// one backtrack point), so a hostile pattern from a peer cannot make routing slow.
public struct EventTypePattern: Hashable, Sendable, CustomStringConvertible {
    /// The pattern as written.
    public let text: String
    private let bytes: [UInt8]

    /// Wraps a pattern; any non-empty text is a valid pattern.
    public init?(_ text: String) {
        guard !text.isEmpty else { return nil }
        self.text = text
        self.bytes = Array(text.utf8)
    }

    /// Whether the pattern matches every type name.
    public var matchesEverything: Bool { bytes.allSatisfy { $0 == UInt8(ascii: "*") } }

    /// Whether `typeName` matches.
    public func matches(_ typeName: String) -> Bool {
        var name = typeName
        return name.withUTF8 { Self.match(pattern: bytes, name: $0) }
    }

    private static func match(pattern: [UInt8], name: UnsafeBufferPointer<UInt8>) -> Bool {
        let star = UInt8(ascii: "*")
        var p = 0
        var n = 0
        var starAt = -1
        var resumeAt = 0
        while n < name.count {
            if p < pattern.count, pattern[p] == star {
                starAt = p
                resumeAt = n
                p += 1
            } else if p < pattern.count, pattern[p] == name[n] {
                p += 1
                n += 1
            } else if starAt >= 0 {
                p = starAt + 1
                resumeAt += 1
                n = resumeAt
            } else {
                return false
            }
        }
        while p < pattern.count, pattern[p] == star { p += 1 }
        return p == pattern.count
    }

    public var description: String { text }
}
