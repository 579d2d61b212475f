import Testing
import Troupe
import TroupeWire

@Suite struct IdempotencyKeyTests {
    @Test func twoKeysAreEqualExactlyWhenTheirTextsAre() {
        let id = EventID(high: 0x0193_5A2B_C4D5_1234, low: 0x89AB_CDEF_0123_4567)
        let fromID = IdempotencyKey(eventID: id)
        let fromText = IdempotencyKey(id.description)
        #expect(fromID == fromText && fromID.hashValue == fromText.hashValue, "a key read back from a store is the delivery's key")
        #expect(fromText.description == id.description)
        #expect(Set([fromID, fromText]).count == 1)

        // The parser reads lower case and I/L/O spellings as the same id; as keys they are other texts.
        let lowercased = IdempotencyKey(id.description.lowercased())
        #expect(lowercased != fromID && lowercased.description == id.description.lowercased())
        let other = IdempotencyKey(eventID: EventID(high: id.high, low: id.low + 1))
        #expect(other != fromID)

        let derived: IdempotencyKey = "OrderPlaced:order-17"
        #expect(derived == IdempotencyKey("OrderPlaced:order-17") && derived.description == "OrderPlaced:order-17")
        #expect(derived != IdempotencyKey("OrderPlaced:order-18"))
        // Text of an id's length that is no id (its first digit would overflow 128 bits) stays
        // text: it is not the id its digits would wrap around to.
        let overflowing = "8" + String(repeating: "0", count: 25)
        #expect(IdempotencyKey(overflowing) != IdempotencyKey(eventID: .zero))
        #expect(IdempotencyKey(overflowing).description == overflowing)
    }

    @Test func theCanonicalTextOfAnyIDReadsBackAsThatID() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0 ..< 1_000 {
            let id = EventID(millisecondsSinceEpoch: UInt64.random(in: 0 ... 0xFFFF_FFFF_FFFF, using: &generator), using: &generator)
            let key = IdempotencyKey(id.description)
            #expect(key == IdempotencyKey(eventID: id) && key.description == id.description)
        }
    }
}
