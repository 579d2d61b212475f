import Testing
import TroupeWire

/// Event ids: a node's ids only grow (ULID's monotonic mode), in number and in text.
@Suite("EventID")
struct EventIDTests {
    /// Yields the same words again and again, so "a new random id" is recognisable.
    struct Fixed: RandomNumberGenerator {
        var word: UInt64
        mutating func next() -> UInt64 { word }
    }

    @Test func withinAMillisecondTheNextIdIsThePreviousPlusOne() {
        var random = Fixed(word: 0xABCD_0000_0000_0005)
        let first = EventID.monotonic(after: nil, millisecondsSinceEpoch: 1_700_000_000_000, using: &random)
        #expect(first == EventID(high: 1_700_000_000_000 << 16 | 0x0005, low: 0xABCD_0000_0000_0005))
        let second = EventID.monotonic(after: first, millisecondsSinceEpoch: 1_700_000_000_000, using: &random)
        #expect(second == EventID(high: first.high, low: first.low + 1))
        #expect(first < second && first.description < second.description)
    }

    @Test func aNewMillisecondStartsFromFreshRandomBits() {
        var random = Fixed(word: 0x0000_0000_0000_0001)
        let previous = EventID(high: 1_700_000_000_000 << 16 | 0xFFFF, low: .max - 3)
        let next = EventID.monotonic(after: previous, millisecondsSinceEpoch: 1_700_000_000_001, using: &random)
        #expect(next == EventID(high: 1_700_000_000_001 << 16 | 0x0001, low: 1))
        #expect(next.millisecondsSinceEpoch == 1_700_000_000_001 && previous < next)
    }

    @Test func aClockThatStepsBackKeepsCountingUp() {
        var random = Fixed(word: 7)
        let previous = EventID(high: 1_700_000_000_500 << 16 | 0x0042, low: 99)
        let next = EventID.monotonic(after: previous, millisecondsSinceEpoch: 1_700_000_000_000, using: &random)
        #expect(next == EventID(high: previous.high, low: 100))
    }

    @Test func theLowWordCarriesIntoTheHighOne() {
        var random = Fixed(word: 7)
        let previous = EventID(high: 1_700_000_000_000 << 16 | 0x0042, low: .max)
        let next = EventID.monotonic(after: previous, millisecondsSinceEpoch: 1_700_000_000_000, using: &random)
        #expect(next == EventID(high: previous.high + 1, low: 0))
        #expect(previous < next && previous.description < next.description)
    }

    @Test func aThousandIdsInOneMillisecondSortInCreationOrder() {
        var random = SystemRandomNumberGenerator()
        var ids: [EventID] = []
        for _ in 0 ..< 1_000 {
            ids.append(EventID.monotonic(after: ids.last, millisecondsSinceEpoch: 1_700_000_000_000, using: &random))
        }
        #expect(ids == ids.sorted())
        #expect(ids.map(\.description) == ids.map(\.description).sorted())
        #expect(Set(ids).count == 1_000)
    }
}
