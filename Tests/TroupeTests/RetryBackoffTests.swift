import NIOCore
import Testing
import Troupe

@Suite("Retry backoff")
struct RetryBackoffTests {
    @Test func sameSeedGivesSameDelays() {
        let backoff = RetryBackoff.default
        var a = Xoshiro256StarStar(seed: 7)
        var b = Xoshiro256StarStar(seed: 7)
        var c = Xoshiro256StarStar(seed: 8)
        let first = (1...10).map { backoff.delay(forRetry: $0, using: &a) }
        let second = (1...10).map { backoff.delay(forRetry: $0, using: &b) }
        let other = (1...10).map { backoff.delay(forRetry: $0, using: &c) }
        #expect(first == second)
        #expect(first != other)
    }

    @Test func undisturbedDelayDoublesAndIsCapped() {
        let backoff = RetryBackoff.default
        #expect(backoff.undisturbedDelay(forRetry: 1) == .milliseconds(200))
        #expect(backoff.undisturbedDelay(forRetry: 2) == .milliseconds(400))
        #expect(backoff.undisturbedDelay(forRetry: 8) == .milliseconds(25_600))
        #expect(backoff.undisturbedDelay(forRetry: 9) == .seconds(30))
        #expect(backoff.undisturbedDelay(forRetry: 10_000) == .seconds(30))
        #expect(backoff.undisturbedDelay(forRetry: 0) == .milliseconds(200))
    }

    @Test func proportionalJitterGrowsStaysInBoundsAndCapped() {
        let backoff = RetryBackoff.default
        var generator = Xoshiro256StarStar(seed: 1)
        var previous = Duration.zero
        for retry in 1...12 {
            let delay = backoff.delay(forRetry: retry, using: &generator)
            let base = backoff.undisturbedDelay(forRetry: retry)
            #expect(delay <= base && delay >= base * 0.8)
            #expect(delay <= .seconds(30))
            if base < .seconds(30) { #expect(delay > previous) }
            previous = delay
        }
    }

    @Test func fullAndNoJitter() {
        let full = RetryBackoff(initialDelay: .seconds(1), multiplier: 3, maximumDelay: .seconds(10), jitter: .full)
        let none = RetryBackoff(initialDelay: .seconds(1), multiplier: 3, maximumDelay: .seconds(10), jitter: .none)
        var generator = Xoshiro256StarStar(seed: 3)
        for retry in 1...6 {
            let delay = full.delay(forRetry: retry, using: &generator)
            #expect(delay >= .zero && delay <= full.undisturbedDelay(forRetry: retry))
            #expect(none.delay(forRetry: retry, using: &generator) == none.undisturbedDelay(forRetry: retry))
        }
        #expect(none.undisturbedDelay(forRetry: 3) == .seconds(9))
        #expect(none.undisturbedDelay(forRetry: 4) == .seconds(10))
        #expect(RetryBackoff.Jitter.full.description == "full")
    }
}

@Suite("Monotonic time")
struct MonotonicTimeTests {
    @Test func arithmeticAndNIORoundTrip() {
        let start = MonotonicTime.at(.seconds(2))
        #expect(start + .milliseconds(500) - start == .milliseconds(500))
        #expect(start - .seconds(3) < .zero)
        let deadline = NIODeadline.uptimeNanoseconds(1_234_567_890)
        #expect(MonotonicTime(deadline).nioDeadline == deadline)
        #expect(MonotonicTime(deadline) == MonotonicTime(nanoseconds: 1_234_567_890))
        #expect((MonotonicTime.zero - .seconds(1)).nioDeadline == .uptimeNanoseconds(0))
    }
}
