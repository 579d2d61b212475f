import GRDB
import Troupe

extension SQLiteNodeStore {
    /// Where the database lives, for error messages.
    var location: String {
        path.map { "node store \($0)" } ?? "in-memory node store"
    }

    /// Runs `body` in one read transaction, translating errors.
    nonisolated(nonsending) func read<T: Sendable>(_ what: String, _ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await writer.read(body)
        } catch {
            throw translated(error, what)
        }
    }

    /// Runs `body` in one write transaction (rolled back if it throws), translating errors.
    ///
    /// It waits on a continuation resumed by GRDB's completion handler, starting on the caller's
    /// executor: a node on its event loop goes straight to the writer queue and back, without
    /// the extra hop through the global executor an `async` GRDB call would take first.
    nonisolated(nonsending) func write<T: Sendable>(_ what: String, _ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await withCheckedThrowingContinuation { continuation in
                writer.asyncWrite(body) { _, result in continuation.resume(with: result) }
            }
        } catch {
            throw translated(error, what)
        }
    }

    /// ``StoreError`` and cancellation pass through; database errors become
    /// ``StoreError/Code/storageFailure`` and row-decoding errors ``StoreError/Code/corruptRecord``,
    /// both naming the operation and the file.
    func translated(_ error: any Error, _ what: String) -> any Error {
        switch error {
        case is StoreError, is CancellationError:
            error
        case let error as DatabaseError:
            StoreError(code: .storageFailure, message: "\(location): \(what) failed: \(error)")
        case let error as RowDecodingError:
            StoreError(code: .corruptRecord, message: "\(location): \(what) found an undecodable row: \(error)")
        default:
            StoreError(code: .storageFailure, message: "\(location): \(what) failed: \(error)")
        }
    }
}
