/// Memory that ``HotStatement`` copies text and blob parameters into, so SQLite binds them
/// without a copy of its own (`SQLITE_STATIC`).
///
/// With `SQLITE_TRANSIENT` SQLite copies every text and blob parameter into a buffer it
/// allocates for that binding, and frees it when the binding is cleared or replaced: one
/// `malloc`/`free` pair per parameter per row (three ids, four strings and an envelope per
/// archive row). In a durable bench's profile binding and clearing was ~12k instructions per
/// event, most of it in the allocator. Copying into memory the writer already owns costs the
/// `memcpy` alone.
///
/// One arena serves one ``BatchWriter`` (one write transaction). It is a bump allocator:
/// ``copy(_:)`` hands out consecutive bytes, and ``reset()`` — called by
/// ``HotStatement/execute()`` once the statement's bindings are cleared — makes them all free
/// again. So parameters are bound for one statement at a time: bind its parameters, execute it,
/// then bind the next one's. A parameter that does not fit (a large event body) returns nil and
/// is bound the ordinary way, with SQLite's copy.
final class ParameterArena {
    /// Bytes per arena: sized when an archive row carried its envelope (~600 bytes of parameters
    /// with a 256-byte body, ~9.6 KiB for the largest chunk of ``MultiRowInsert``, 16 rows). The
    /// rows bound here now (outbox rows, idempotency records, releases) take tens of bytes each;
    /// a parameter that does not fit is bound with SQLite's own copy.
    static let capacity = 16 * 1024

    private let base: UnsafeMutableRawPointer
    private var used = 0

    init() {
        base = UnsafeMutableRawPointer.allocate(byteCount: Self.capacity, alignment: 16)
    }

    deinit {
        base.deallocate()
    }

    /// Room for `count` bytes that stay put until the next ``reset()``, or nil when the arena
    /// has not that much left.
    func reserve(_ count: Int) -> UnsafeMutableRawPointer? {
        guard count <= Self.capacity - used else { return nil }
        let start = base + used
        // Keep every reservation 8-byte aligned.
        used += (count + 7) & ~7
        return start
    }

    /// A copy of `bytes` that stays put until the next ``reset()``, or nil when it does not fit.
    func copy(_ bytes: UnsafeRawBufferPointer) -> UnsafeRawPointer? {
        guard let destination = reserve(bytes.count) else { return nil }
        if let source = bytes.baseAddress {
            destination.copyMemory(from: source, byteCount: bytes.count)
        }
        return UnsafeRawPointer(destination)
    }

    /// Frees every reservation; earlier pointers must no longer be bound.
    func reset() {
        used = 0
    }
}
