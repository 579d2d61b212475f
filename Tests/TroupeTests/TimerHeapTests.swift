import Testing
import TroupeWire
@testable import Troupe

@Suite struct TimerHeapTests {
    private func owner(_ n: UInt64) -> TimerOwner { .parked(EventID(high: 0, low: n)) }

    @Test func timersArmedInDeadlineOrderFireInThatOrderAndTiesByArming() {
        var timers = TimerHeap()
        for (index, deadline) in [10, 20, 20, 30].enumerated() {
            _ = timers.schedule(at: MonotonicTime(nanoseconds: Int64(deadline)), for: owner(UInt64(index)))
        }
        var fired: [UInt64] = []
        while let entry = timers.popTop() { fired.append(entry.sequence) }
        #expect(fired == [1, 2, 3, 4])
    }

    @Test func anEarlierTimerArmedLaterStillFiresFirst() {
        var timers = TimerHeap()
        _ = timers.schedule(at: MonotonicTime(nanoseconds: 100), for: owner(1))
        _ = timers.schedule(at: MonotonicTime(nanoseconds: 200), for: owner(2))
        _ = timers.schedule(at: MonotonicTime(nanoseconds: 50), for: owner(3))  // a short retry
        _ = timers.schedule(at: MonotonicTime(nanoseconds: 150), for: owner(4))
        #expect(timers.top?.sequence == 3)
        var deadlines: [MonotonicTime] = []
        while let entry = timers.popTop() { deadlines.append(entry.deadline) }
        #expect(deadlines == [50, 100, 150, 200].map { MonotonicTime(nanoseconds: $0) })
    }

    /// Any interleaving of arming, firing and compacting gives the order a single sorted list
    /// of (deadline, sequence) would.
    @Test func firesInTheOrderOfOneSortedListUnderRandomUse() {
        var random = Xoshiro256StarStar(seed: 7)
        for _ in 0..<200 {
            var timers = TimerHeap()
            var reference: [TimerHeap.Entry] = []
            var now: Int64 = 0
            for step in 0..<300 {
                switch random.next() % 10 {
                case 0..<6:
                    // Mostly "now + timeout" (in order), sometimes a shorter or longer delay.
                    let delay: Int64 = random.next() % 4 == 0 ? Int64(random.next() % 500) : 250
                    let owner = owner(UInt64(step))
                    let sequence = timers.schedule(at: MonotonicTime(nanoseconds: now + delay), for: owner)
                    reference.append(TimerHeap.Entry(deadline: MonotonicTime(nanoseconds: now + delay), sequence: sequence, owner: owner))
                case 6..<9:
                    reference.sort()
                    #expect(timers.top == reference.first)
                    #expect(timers.popTop() == (reference.isEmpty ? nil : reference.removeFirst()))
                default:
                    let keep = { (entry: TimerHeap.Entry) in entry.sequence % 3 != 0 }
                    timers.compact(keeping: keep)
                    reference.removeAll { !keep($0) }
                }
                now += Int64(random.next() % 40)
                #expect(timers.count == reference.count)
            }
        }
    }
}
