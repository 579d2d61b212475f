/// Checks a ``SagaSnapshot`` against the saga's invariants (DESIGN.md §4).
///
/// Pure: a snapshot in, verdicts out — no clocks, no nodes, no I/O — so the same checker judges
/// a loopback test, a chaos run, a simulated run or a snapshot saved to disk. Each failing
/// verdict names the orders (or nodes) and the values that break it.
///
/// ```swift
/// let results = SagaInvariantChecker().check(snapshot)
/// print(SagaInvariantChecker().report(results))
/// // ✔ every order terminal
/// // ✘ stock conserved: gizmo: initial 12 ≠ available 3 + reserved 0 + sold 8
/// ```
public struct SagaInvariantChecker: Sendable {
    /// At most this many counterexamples are kept per invariant; the rest are summarised.
    public var maximumCounterexamples: Int

    /// Creates a checker.
    public init(maximumCounterexamples: Int = 20) {
        precondition(maximumCounterexamples >= 1, "keep at least one counterexample")
        self.maximumCounterexamples = maximumCounterexamples
    }

    /// Checks every invariant, in ``SagaInvariant`` order; the last line (dead letters) is
    /// informational.
    public func check(_ snapshot: SagaSnapshot) -> [InvariantResult] {
        SagaInvariant.allCases.map { invariant in
            let found: [String] = switch invariant {
            case .everyOrderTerminal: Self.ordersNotTerminal(in: snapshot)
            case .noOrderBothConfirmedAndCancelled: Self.outcomeDisagreements(in: snapshot)
            case .atMostOneCapture: Self.captureViolations(in: snapshot)
            case .stockConserved: Self.stockViolations(in: snapshot)
            case .exactlyOneNotification: Self.notificationViolations(in: snapshot)
            case .noEventLost: Self.undeliveredEvents(in: snapshot)
            case .deadLetters: Self.deadLetterCounts(in: snapshot)
            }
            return InvariantResult(invariant, counterexamples: bounded(found))
        }
    }

    /// Renders results as human-readable lines, one per invariant plus a summary:
    /// `✔ every order terminal`, `✘ every order terminal: order-0042 pending`,
    /// `ℹ dead letters: none`, `6 of 6 invariants hold`.
    public func report(_ results: [InvariantResult]) -> String {
        var lines: [String] = []
        for result in results {
            if result.informational {
                let observations = result.counterexamples.isEmpty ? "none" : result.counterexamples.joined(separator: "; ")
                lines.append("ℹ \(result.name): \(observations)")
            } else if result.passed {
                lines.append("✔ \(result.name)")
            } else {
                lines.append("✘ \(result.name): \(result.counterexamples.joined(separator: "; "))")
            }
        }
        let judged = results.filter { !$0.informational }
        lines.append("\(judged.filter(\.passed).count) of \(judged.count) invariants hold")
        return lines.joined(separator: "\n")
    }

    private func bounded(_ counterexamples: [String]) -> [String] {
        guard counterexamples.count > maximumCounterexamples else { return counterexamples }
        return counterexamples.prefix(maximumCounterexamples) + ["… and \(counterexamples.count - maximumCounterexamples) more"]
    }
}
