/// Runs many seeds, each in its own deterministic simulation, several at a time.
///
/// Parallelism is between runs only: each run is still one single-threaded loop, so its result
/// does not depend on what else runs beside it.
public enum SimulationSweep {
    /// Runs `body` for every seed of `range`, at most `parallelism` at once; returns the results
    /// in seed order.
    public static func run<Result: Sendable>(
        _ range: SeedRange, parallelism: Int, _ body: @escaping @Sendable (UInt64) async throws -> Result
    ) async throws -> [Result] {
        try await withThrowingTaskGroup(of: (UInt64, Result).self) { group in
            var results: [UInt64: Result] = [:]
            var next = range.lower
            var exhausted = false
            func enqueue() {
                guard !exhausted else { return }
                let seed = next
                group.addTask { (seed, try await body(seed)) }
                if next == range.upper { exhausted = true } else { next += 1 }
            }
            for _ in 0..<max(1, parallelism) { enqueue() }
            while let (seed, result) = try await group.next() {
                results[seed] = result
                enqueue()
            }
            return range.seeds.map { results[$0]! }
        }
    }
}
