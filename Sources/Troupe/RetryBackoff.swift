/// Exponential backoff with jitter: how long to wait before retry number `n`.
///
/// The undisturbed delay for retry `n` (1-based) is
/// `base(n) = min(maximumDelay, initialDelay × multiplier^(n−1))`; ``Jitter`` then spreads it:
///
/// - ``Jitter/none``: exactly `base(n)`.
/// - ``Jitter/full``: uniform in `0...base(n)` (AWS "full jitter": best spread, but a later
///   retry may come sooner than an earlier one).
/// - ``Jitter/proportional(_:)`` with fraction `f`: uniform in `base(n)·(1−f) ... base(n)`.
///   Jitter only ever shortens the delay, so it never exceeds `maximumDelay`, and with
///   `multiplier ≥ 1/(1−f)` successive delays strictly grow until the cap.
///
/// The default (200 ms, ×2, capped at 30 s, proportional 0.2) follows the SQS / Powertools
/// habit. Pure: the random generator comes in, nothing is read from the environment.
public struct RetryBackoff: Hashable, Sendable {
    /// How the undisturbed delay is randomised.
    public struct Jitter: Hashable, Sendable, CustomStringConvertible {
        /// Fraction of the delay that may be taken away at random: 0 = none, 1 = full.
        public let fraction: Double

        private init(fraction: Double) { self.fraction = fraction }

        /// No randomisation.
        public static let none = Jitter(fraction: 0)
        /// Uniform between zero and the undisturbed delay.
        public static let full = Jitter(fraction: 1)

        /// Uniform between `(1 − fraction)` and `1` times the undisturbed delay.
        public static func proportional(_ fraction: Double) -> Jitter {
            precondition((0...1).contains(fraction), "jitter fraction must be within 0...1")
            return Jitter(fraction: fraction)
        }

        /// `none`, `full` or `proportional(f)`.
        public var description: String {
            switch fraction {
            case 0: "none"
            case 1: "full"
            default: "proportional(\(fraction))"
            }
        }
    }

    /// Delay before the first retry.
    public var initialDelay: Duration
    /// Growth factor per retry (≥ 1).
    public var multiplier: Double
    /// Upper bound of every delay.
    public var maximumDelay: Duration
    /// Randomisation applied to each delay.
    public var jitter: Jitter

    /// 200 ms, ×2, at most 30 s, proportional jitter of 20 %.
    public static let `default` = RetryBackoff()

    /// Creates a backoff policy.
    public init(
        initialDelay: Duration = .milliseconds(200),
        multiplier: Double = 2,
        maximumDelay: Duration = .seconds(30),
        jitter: Jitter = .proportional(0.2)
    ) {
        precondition(initialDelay >= .zero, "initialDelay must not be negative")
        precondition(multiplier >= 1, "multiplier must be at least 1")
        precondition(maximumDelay >= initialDelay, "maximumDelay must be at least initialDelay")
        self.initialDelay = initialDelay
        self.multiplier = multiplier
        self.maximumDelay = maximumDelay
        self.jitter = jitter
    }

    /// The delay before retry number `retry` (1 = first retry) without jitter.
    public func undisturbedDelay(forRetry retry: Int) -> Duration {
        .nanoseconds(Int64(undisturbedNanoseconds(forRetry: retry)))
    }

    /// The delay before retry number `retry` (1 = first retry), jittered with `generator`.
    ///
    /// Always within `undisturbedDelay(forRetry:) · (1 − jitter.fraction) ... undisturbedDelay`.
    public func delay(forRetry retry: Int, using generator: inout some RandomNumberGenerator) -> Duration {
        let base = undisturbedNanoseconds(forRetry: retry)
        guard jitter.fraction > 0, base > 0 else { return .nanoseconds(Int64(base)) }
        let lowest = base * (1 - jitter.fraction)
        let chosen = Double.random(in: lowest...base, using: &generator)
        return .nanoseconds(Int64(chosen.rounded(.down)))
    }

    private func undisturbedNanoseconds(forRetry retry: Int) -> Double {
        let initial = Self.nanoseconds(initialDelay)
        let maximum = Self.nanoseconds(maximumDelay)
        let exponent = Double(max(retry, 1) - 1)
        let grown = initial * pow(multiplier, exponent)
        return grown.isFinite ? min(grown, maximum) : maximum
    }

    private static func nanoseconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) * 1e9 + Double(attoseconds / 1_000_000_000)
    }

    /// `pow` without Foundation: repeated squaring on a whole exponent.
    private func pow(_ base: Double, _ exponent: Double) -> Double {
        var result = 1.0
        var factor = base
        var remaining = Int(exponent)
        while remaining > 0, result.isFinite {
            if remaining & 1 == 1 { result *= factor }
            factor *= factor
            remaining >>= 1
        }
        return result
    }
}
