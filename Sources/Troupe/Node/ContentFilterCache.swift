import Synchronization
public import TroupeMesh
public import TroupeWire

/// Parses each distinct content-filter text once and serves it to the runtime and, as a
/// ``SubscriptionFilter``, to the mesh — so filters run at the publisher and filtered-out
/// events never cross the wire.
public final class ContentFilterCache: SubscriptionFilter {
    private let cache = Mutex<[String: ContentFilter]>([:])

    /// An empty cache.
    public init() {}

    /// The parsed filter for `text`; throws ``FilterError`` when it is invalid.
    public func filter(for text: String) throws(FilterError) -> ContentFilter {
        if let cached = cache.withLock({ $0[text] }) { return cached }
        let parsed = try ContentFilter(json: text)
        cache.withLock { cache in
            if cache.count > 10_000 { cache.removeAll() }  // bound: filters come from peers
            cache[text] = parsed
        }
        return parsed
    }

    /// Whether `subscription`'s filter accepts `envelope`; an invalid filter accepts nothing.
    public func accepts(_ subscription: Subscribe, _ envelope: Envelope) -> Bool {
        guard !subscription.filter.isEmpty else { return true }
        guard let filter = try? filter(for: subscription.filter) else { return false }
        return filter.matches(envelope)
    }
}
