import Testing
@testable import Troupe

@Suite struct IdempotencyCacheTests {
    @Test func theOldestKeysGoFirstWhenTheCacheIsFull() {
        var cache = IdempotencyCache(capacity: 3)
        for (index, key) in (["a", "b", "c", "d"] as [IdempotencyKey]).enumerated() { cache[key] = Int64(100 + index) }
        #expect(cache.count == 3)
        #expect(cache["a"] == nil, "the oldest was evicted")
        #expect(cache["d"] == 103)
        cache["b"] = 200  // an update keeps its place and does not grow the cache
        #expect(cache.count == 3 && cache["b"] == 200)
    }

    @Test func expiredKeysAreForgottenInOrderAndAreNotLive() {
        var cache = IdempotencyCache(capacity: 10)
        cache["a"] = 10
        cache["b"] = 20
        cache["c"] = 30
        #expect(cache.contains("b", at: 19) && !cache.contains("b", at: 20))
        #expect(cache.removeExpired(at: 20) == 2)
        #expect(cache.count == 1 && cache["c"] == 30)
        cache["c"] = nil
        #expect(cache.removeExpired(at: 100) == 0 && cache.count == 0)
    }
}
