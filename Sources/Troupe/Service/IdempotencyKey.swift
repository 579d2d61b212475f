public import TroupeWire

/// The key by which a handled event's duplicates are recognised: by default the event's id, or
/// text a handler derives from the payload (`"OrderPlaced:order-17"`).
///
/// Two keys are equal exactly when their texts (``description``) are equal; the text is what a
/// store records. The default key is kept as the 16-byte id rather than its 26-character text:
/// every delivery looks its key up and records it several times over (the node's cache, the
/// keys of its commit group, the in-memory store's table), and a `String` of 26 bytes is hashed
/// byte by byte, compared with `memcmp` and reference-counted each time. In a saturated
/// `troupe bench --mode memory` subscriber those `String` keys were about a sixth of the CPU.
/// An id hashes as two words and compares as two words.
///
/// Text that is the canonical form of an event id (as a store hands keys back) becomes the id
/// form, so a key read from a store equals the key derived from the delivery again. Text that
/// is not exactly canonical (lower case, `I`/`L`/`O` spellings) stays text: only identical
/// texts are ever the same key.
public struct IdempotencyKey: Hashable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    private enum Storage: Hashable, Sendable {
        case eventID(EventID)
        case text(String)
    }

    private let storage: Storage

    /// The default key of an event: its id.
    public init(eventID: EventID) {
        storage = .eventID(eventID)
    }

    /// The key whose text is `text`.
    public init(_ text: String) {
        if text.utf8.count == 26, let eventID = EventID(text), eventID.description == text {
            storage = .eventID(eventID)
        } else {
            storage = .text(text)
        }
    }

    /// The key whose text is the literal.
    public init(stringLiteral text: String) {
        self.init(text)
    }

    /// Bits that spread keys over a few tables (``ShardedExpiryTable``) without hashing them
    /// once more: an id's low bits (ids a node creates within a millisecond count up, so
    /// consecutive ids fall into consecutive tables), a text's hash. Not a hash: a peer choosing
    /// ids could put every key in one table, which then is one seeded-hash dictionary, as an
    /// unsharded table would be.
    var spreadingBits: UInt {
        switch storage {
        case .eventID(let eventID): UInt(truncatingIfNeeded: eventID.low)
        case .text(let text): UInt(bitPattern: text.hashValue)
        }
    }

    /// The event id this key is, when it is one (every default key, and any text that is an
    /// id's canonical form); nil for other text. A store can keep such a key in 16 bytes.
    public var eventID: EventID? {
        switch storage {
        case .eventID(let eventID): eventID
        case .text: nil
        }
    }

    /// The key's text, as stored and logged.
    public var description: String {
        switch storage {
        case .eventID(let eventID): eventID.description
        case .text(let text): text
        }
    }
}
