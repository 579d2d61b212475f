import Testing
@testable import Troupe

@Suite struct SortedGroupsTests {
    @Test func normalizedSortsAndKeepsEachNameOnce() {
        #expect(SortedGroups.normalized([]) == [])
        #expect(SortedGroups.normalized(["b"]) == ["b"])
        #expect(SortedGroups.normalized(["b", "a", "b", "c", "a", "a"]) == ["a", "b", "c"])
        #expect(SortedGroups.normalized(["x", "x"]) == ["x"])
    }

    @Test func normalizedAgreesWithASetOnRandomLists() {
        var random = SystemRandomNumberGenerator()
        for _ in 0 ..< 500 {
            let groups = (0 ..< Int.random(in: 0 ... 40, using: &random)).map { _ in "g\(Int.random(in: 0 ... 12, using: &random))" }
            #expect(SortedGroups.normalized(groups) == Set(groups).sorted(), "\(groups)")
        }
    }

    @Test func missingKeepsOrderAndAgreesWithSetSubtractionAtEveryLength() {
        var random = SystemRandomNumberGenerator()
        for _ in 0 ..< 500 {
            // Lengths on both sides of the scan limit, so both ways of looking up are used.
            let groups = SortedGroups.normalized((0 ..< Int.random(in: 0 ... 30, using: &random)).map { _ in "g\(Int.random(in: 0 ... 40, using: &random))" })
            let others = (0 ..< Int.random(in: 0 ... 2 * SortedGroups.scanLimit, using: &random)).map { _ in "g\(Int.random(in: 0 ... 40, using: &random))" }
            #expect(SortedGroups.missing(groups, from: others) == Set(groups).subtracting(others).sorted(), "\(groups) - \(others)")
        }
    }

    @Test func distinctKeepsFirstOrderOnBothSidesOfTheScanLimit() {
        #expect(DeliveryStateMachine.distinct(["b", "a", "b", "c", "a"]) == ["b", "a", "c"])
        var random = SystemRandomNumberGenerator()
        for _ in 0 ..< 500 {
            let groups = (0 ..< Int.random(in: 0 ... 2 * SortedGroups.scanLimit, using: &random)).map { _ in "g\(Int.random(in: 0 ... 40, using: &random))" }
            var seen = Set<String>()
            #expect(DeliveryStateMachine.distinct(groups) == groups.filter { seen.insert($0).inserted }, "\(groups)")
        }
    }
}
