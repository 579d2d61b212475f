public import Testing

/// Polls `condition` every `interval` until it holds or `timeout` passes, and records an issue
/// at the caller's line when it never does. Tests wait on conditions, never on fixed sleeps; the
/// default deadline is generous because CI machines are slow and noisy, and a test that passes
/// returns as soon as its condition holds.
///
/// ```swift
/// #expect(await eventually("every Ping applied") { await counter.node.state.applied.count == 60 })
/// ```
public func eventually(
    timeout: Duration = .seconds(30), every interval: Duration = .milliseconds(20), _ what: String,
    sourceLocation: SourceLocation = #_sourceLocation,
    _ condition: () async -> Bool
) async -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while clock.now < deadline {
        if await condition() { return true }
        try? await Task.sleep(for: interval)
    }
    let holds = await condition()
    if !holds { Issue.record("timed out waiting for: \(what)", sourceLocation: sourceLocation) }
    return holds
}
