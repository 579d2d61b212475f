import Synchronization
import Troupe

/// An ``ArchiveSegmentStore`` in memory: the archive log of a store that keeps nothing
/// (``SQLiteNodeStore/inMemory(nodeID:archiveCapacity:)``).
final class ArchiveSegmentMemory: ArchiveSegmentStore {
    private let contents = Mutex<[Int64: [UInt8]]>([:])

    func segments() -> [Int64] {
        contents.withLock { $0.keys.sorted() }
    }

    func length(of number: Int64) -> Int64 {
        contents.withLock { Int64($0[number]?.count ?? 0) }
    }

    func write(_ bytes: UnsafeRawBufferPointer, to number: Int64, at offset: Int64) {
        contents.withLock { segments in
            // In place: a copy taken out of the dictionary and stored back would copy the
            // whole segment on every write.
            let start = Int(offset)
            let end = start + bytes.count
            if segments[number, default: []].count < end {
                segments[number, default: []].append(contentsOf: repeatElement(0, count: end - segments[number, default: []].count))
            }
            segments[number, default: []].withUnsafeMutableBytes { target in
                UnsafeMutableRawBufferPointer(rebasing: target[start ..< end]).copyMemory(from: bytes)
            }
        }
    }

    func read(from number: Int64, at offset: Int64, into buffer: UnsafeMutableRawBufferPointer) -> Int? {
        contents.withLock { segments in
            guard let segment = segments[number] else { return nil }
            let start = min(Int(offset), segment.count)
            let count = min(buffer.count, segment.count - start)
            segment.withUnsafeBytes { source in
                buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[start ..< start + count]))
            }
            return count
        }
    }

    func truncate(_ number: Int64, to length: Int64) {
        contents.withLock { segments in
            guard let segment = segments[number], segment.count > Int(length) else { return }
            segments[number] = Array(segment.prefix(Int(length)))
        }
    }

    func remove(_ number: Int64) {
        _ = contents.withLock { $0.removeValue(forKey: number) }
    }

    func sync(_ number: Int64) {}

    func close() {}
}
