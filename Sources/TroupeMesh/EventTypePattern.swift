/// Matches event type names: an exact name (`OrderPlaced`), or a glob in which `*` stands for any
/// run of characters, possibly empty (`Order*`, `*Declined`, `*`).
///
/// Matching is linear in the length of the type name (the classic two-pointer wildcard match with
/// one backtrack point), so a hostile pattern from a peer cannot make routing slow. Wrapping a
/// pattern copies nothing (routing wraps a subscription's pattern for every event it routes),
/// and matching reads both strings' UTF-8 in place.
public struct EventTypePattern: Hashable, Sendable, CustomStringConvertible {
    /// The pattern as written.
    public let text: String

    /// Wraps a pattern; any non-empty text is a valid pattern.
    public init?(_ text: String) {
        guard !text.isEmpty else { return nil }
        self.text = text
    }

    /// Whether the pattern matches every type name.
    public var matchesEverything: Bool { text.utf8.allSatisfy { $0 == UInt8(ascii: "*") } }

    /// Whether `typeName` matches.
    public func matches(_ typeName: String) -> Bool {
        var pattern = text
        var name = typeName
        return pattern.withUTF8 { pattern in name.withUTF8 { Self.match(pattern: pattern, name: $0) } }
    }

    private static func match(pattern: UnsafeBufferPointer<UInt8>, name: UnsafeBufferPointer<UInt8>) -> Bool {
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
