import Foundation
import Synchronization
import Troupe

import Glibc

/// An ``ArchiveSegmentStore`` of files in one directory: segment `n` is the file
/// `<n as 16 hex digits>.segment`. The writer's files are opened once and kept open until
/// removed or ``close()``d; reads open their own; a read never creates a segment.
final class ArchiveSegmentDirectory: ArchiveSegmentStore {
    /// The directory, created if needed.
    let path: String
    private let open = Mutex<[Int64: Int32]>([:])

    private static let suffix = ".segment"

    /// The segments in `path`, creating the directory if it does not exist.
    init(path: String) throws(StoreError) {
        self.path = path
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw StoreError(code: .storageFailure, message: "cannot create the archive log directory \(path): \(error)")
        }
    }

    private func file(_ number: Int64) -> String {
        let hex = String(UInt64(bitPattern: number), radix: 16)
        return "\(path)/\(String(repeating: "0", count: max(0, 16 - hex.count)))\(hex)\(Self.suffix)"
    }

    private func failure(_ what: String, _ number: Int64) -> StoreError {
        StoreError(code: .storageFailure, message: "cannot \(what) archive log segment \(file(number)): \(String(cString: strerror(errno)))")
    }

    /// The open descriptor of segment `number`; nil when it does not exist and `create` is false.
    private func descriptor(_ number: Int64, create: Bool) throws(StoreError) -> Int32? {
        let result = open.withLock { files -> Result<Int32?, StoreError> in
            if let fd = files[number] { return .success(fd) }
            let fd = Glibc.open(file(number), O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0), 0o644)
            if fd < 0 {
                return errno == ENOENT && !create ? .success(nil) : .failure(failure("open", number))
            }
            files[number] = fd
            return .success(fd)
        }
        return try result.get()
    }

    func segments() throws(StoreError) -> [Int64] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: path)
        } catch {
            throw StoreError(code: .storageFailure, message: "cannot list the archive log directory \(path): \(error)")
        }
        return names.compactMap { name -> Int64? in
            guard name.hasSuffix(Self.suffix), name.count == 16 + Self.suffix.count else { return nil }
            return UInt64(name.prefix(16), radix: 16).map { Int64(bitPattern: $0) }
        }.sorted()
    }

    func length(of number: Int64) throws(StoreError) -> Int64 {
        var status = stat()
        if stat(file(number), &status) != 0 {
            if errno == ENOENT { return 0 }
            throw failure("inspect", number)
        }
        return Int64(status.st_size)
    }

    func write(_ bytes: UnsafeRawBufferPointer, to number: Int64, at offset: Int64) throws(StoreError) {
        guard let fd = try descriptor(number, create: true) else { return }
        let written = try transfer(bytes.count, "write", number) { done in
            pwrite(fd, bytes.baseAddress! + done, bytes.count - done, off_t(offset) + off_t(done))
        }
        guard written == bytes.count else {
            throw StoreError(code: .storageFailure, message: "cannot write archive log segment \(file(number)): wrote \(written) of \(bytes.count) bytes")
        }
    }

    /// Reads through a descriptor of its own, opened and closed per call: the writer may
    /// remove the segment meanwhile (retention), and a read already under way then still reads
    /// the file it opened, never a descriptor closed and reused for another file.
    func read(from number: Int64, at offset: Int64, into buffer: UnsafeMutableRawBufferPointer) throws(StoreError) -> Int? {
        let fd = Glibc.open(file(number), O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw failure("open", number)
        }
        defer { Glibc.close(fd) }
        return try transfer(buffer.count, "read", number) { done in
            pread(fd, buffer.baseAddress! + done, buffer.count - done, off_t(offset) + off_t(done))
        }
    }

    /// Calls `call` with the bytes done so far until `count` are done or it returns 0 (the
    /// end of the file), retrying interrupted calls; returns how many were done.
    private func transfer(_ count: Int, _ what: String, _ number: Int64, _ call: (Int) -> Int) throws(StoreError) -> Int {
        var done = 0
        while done < count {
            let result = call(done)
            if result < 0 {
                if errno == EINTR { continue }
                throw failure(what, number)
            }
            if result == 0 { break }
            done += result
        }
        return done
    }

    func truncate(_ number: Int64, to length: Int64) throws(StoreError) {
        guard let fd = try descriptor(number, create: false) else { return }
        if ftruncate(fd, off_t(length)) != 0 { throw failure("truncate", number) }
    }

    func remove(_ number: Int64) throws(StoreError) {
        if let fd = open.withLock({ $0.removeValue(forKey: number) }) { Glibc.close(fd) }
        if unlink(file(number)) != 0, errno != ENOENT { throw failure("remove", number) }
    }

    func sync(_ number: Int64) throws(StoreError) {
        guard let fd = try descriptor(number, create: false) else { return }
        if fdatasync(fd) != 0 { throw failure("sync", number) }
    }

    func close() {
        let files = open.withLock { files in
            defer { files = [:] }
            return files
        }
        for fd in files.values { Glibc.close(fd) }
    }
}
