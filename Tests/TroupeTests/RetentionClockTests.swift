import Testing
@testable import Troupe

@Suite struct RetentionClockTests {
    let ttl = Duration.seconds(100)

    @Test func anEmptyStoreStartsFromTheWallClockAndAdvancesWithTheMonotonicClock() {
        let start = MonotonicTime(sinceOrigin: .seconds(5))
        let clock = RetentionClock(resumingFrom: [], ttl: ttl, wallNow: 1_000_000, monotonicNow: start)
        #expect(clock.now(at: start) == 1_000_000)
        #expect(clock.now(at: start + .seconds(3)) == 4_000_000)
    }

    @Test func itResumesFromTheNewestRecordWhateverTheWallClockSays() {
        // Records written at retention times 10 s and 30 s (TTL 100 s). The node restarts with a
        // wall clock a year ahead and one a year behind: the retention clock ignores both.
        let expiries: [Int64] = [110_000_000, 130_000_000]
        let start = MonotonicTime(sinceOrigin: .zero)
        for wall in [Int64(365 * 86_400) * 1_000_000 + 30_000_000, -Int64(365 * 86_400) * 1_000_000] {
            let clock = RetentionClock(resumingFrom: expiries, ttl: ttl, wallNow: wall, monotonicNow: start)
            #expect(clock.now(at: start) == 30_000_000, "resumes where the newest record was written")
            #expect(clock.now(at: start + .seconds(79)) < 110_000_000, "the older record is still live 79 s later")
            #expect(clock.now(at: start + .seconds(81)) > 110_000_000, "and expires after its remaining 80 s of uptime")
        }
    }

    @Test func monotonicTimeBeforeTheStartDoesNotRunTheClockBackwards() {
        let start = MonotonicTime(sinceOrigin: .seconds(10))
        let clock = RetentionClock(resumingFrom: [], ttl: ttl, wallNow: 7, monotonicNow: start)
        #expect(clock.now(at: MonotonicTime(sinceOrigin: .seconds(1))) == 7)
    }
}
