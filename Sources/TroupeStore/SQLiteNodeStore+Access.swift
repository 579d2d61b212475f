import GRDB
import Troupe

extension SQLiteNodeStore {
    /// Where the database lives, for error messages.
    var location: String {
        path.map { "node store \($0)" } ?? "in-memory node store"
    }

    /// Runs `body` in one read transaction, translating errors.
    func read<T: Sendable>(_ what: String, _ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await writer.read(body)
        } catch {
            throw translated(error, what)
        }
    }

    /// Runs `body` in one write transaction (rolled back if it throws), translating errors.
    func write<T: Sendable>(_ what: String, _ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await writer.write(body)
        } catch {
            throw translated(error, what)
        }
    }

    /// ``StoreError`` and cancellation pass through; database errors become
    /// ``StoreError/Code/storageFailure`` and row-decoding errors ``StoreError/Code/corruptRecord``,
    /// both naming the operation and the file.
    private func translated(_ error: any Error, _ what: String) -> any Error {
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
