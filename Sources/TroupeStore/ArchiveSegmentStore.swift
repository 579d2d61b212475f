import Troupe

/// Where an ``ArchiveLog`` keeps its segments: numbered byte arrays of at most the log's
/// segment size, in files (``ArchiveSegmentDirectory``) or in memory (``ArchiveSegmentMemory``,
/// for stores that keep nothing). Failures throw ``StoreError/Code/storageFailure``.
protocol ArchiveSegmentStore: Sendable {
    /// The numbers of the segments present, ascending.
    func segments() throws(StoreError) -> [Int64]
    /// The length of segment `number` (0 when it does not exist).
    func length(of number: Int64) throws(StoreError) -> Int64
    /// Writes `bytes` into segment `number` at `offset`, creating the segment if needed.
    func write(_ bytes: UnsafeRawBufferPointer, to number: Int64, at offset: Int64) throws(StoreError)
    /// Reads up to `buffer.count` bytes of segment `number` from `offset` into `buffer`; returns
    /// how many it read (fewer at the segment's end), or nil when the segment does not exist.
    func read(from number: Int64, at offset: Int64, into buffer: UnsafeMutableRawBufferPointer) throws(StoreError) -> Int?
    /// Cuts segment `number` to `length` bytes (nothing when it does not exist).
    func truncate(_ number: Int64, to length: Int64) throws(StoreError)
    /// Deletes segment `number` (nothing when it does not exist).
    func remove(_ number: Int64) throws(StoreError)
    /// Makes what was written to segment `number` durable.
    func sync(_ number: Int64) throws(StoreError)
    /// Lets go of every open file.
    func close()
}
