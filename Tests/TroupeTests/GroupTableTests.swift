import Testing
@testable import Troupe

@Suite struct GroupTableTests {
    @Test func aGroupKeepsItsNumberWhileItHasLiveSeries() {
        var table = GroupTable()
        let first = table.retain("billing")
        let second = table.retain("billing")
        let other = table.retain("audit")
        #expect(first == second && first != other)
        #expect(table.name(first) == "billing" && table.name(other) == "audit")
        #expect(table.count == 2)

        table.release(first)
        #expect(table.id(of: "billing") == first, "one live series is left")
        table.release(second)
        #expect(table.id(of: "billing") == nil && table.count == 1)
        #expect(table.id(of: "audit") == other)
    }

    @Test func freedNumbersAreReusedSoTheTableStaysAsSmallAsTheLiveGroups() {
        var table = GroupTable()
        var live: [GroupTable.ID] = []
        for round in 0 ..< 100 {
            for index in 0 ..< 5 { live.append(table.retain("group-\(round)-\(index)")) }
            for id in live { table.release(id) }
            live.removeAll()
        }
        #expect(table.count == 0 && table.capacity == 5, "500 groups came and went through five numbers")
        let again = table.retain("late")
        #expect(table.name(again) == "late" && table.count == 1)
        // Five numbers ever in use at once: a new group takes one of them.
        #expect((0 ..< 5).map { table.retain("extra-\($0)") }.allSatisfy { table.name($0).hasPrefix("extra-") })
        #expect(table.count == 6 && table.capacity == 6)
    }

    /// The latest group is found without hashing; a freed (and reused) number is not mistaken
    /// for it.
    @Test func theLatestGroupAgainGetsItsNumberAndAFreedOneIsNotReusedByName() {
        var table = GroupTable()
        let first = table.retain("billing")
        #expect(table.retain("billing") == first)
        table.release(first)
        table.release(first)
        #expect(table.id(of: "billing") == nil)
        let other = table.retain("audit")  // takes billing's freed number
        #expect(other == first && table.name(other) == "audit")
        let again = table.retain("billing")
        #expect(again != other && table.name(again) == "billing" && table.name(other) == "audit")
        #expect(table.retain("audit") == other && table.count == 2)
    }
}
