import Foundation
import GRDB
import NIOCore
import Troupe
import TroupeWire

/// How envelopes and event ids are stored in SQLite columns.
///
/// An envelope is stored as a whole EVENT frame (delivery id 0, group ""), so every blob carries
/// the wire format's magic, version and CRC32C: a flipped bit is caught when it is read back and
/// reported as ``StoreError/Code/corruptRecord`` instead of yielding a wrong event. The store's
/// codec accepts bodies up to the 32-bit length field, so it never refuses an envelope the
/// runtime hands it.
///
/// An event id is 16 bytes, big-endian (`high` then `low`), so SQLite's byte-wise BLOB ordering
/// is the id's time ordering.
enum RecordCoding {
    static let codec = FrameCodec(limits: WireLimits(maxBodyLength: Int(UInt32.max)))

    /// Encodes `envelope` into a blob, using `scratch` as the working buffer.
    static func blob(of envelope: Envelope, scratch: inout ByteBuffer) throws(StoreError) -> Data {
        try encode(envelope, into: &scratch)
        return scratch.withUnsafeReadableBytes { Data($0) }
    }

    /// Replaces the contents of `scratch` with the blob of `envelope`.
    static func encode(_ envelope: Envelope, into scratch: inout ByteBuffer) throws(StoreError) {
        scratch.clear()
        do {
            try codec.encode(.event(EventDelivery(deliveryID: 0, group: "", envelope: envelope)), into: &scratch)
        } catch {
            throw StoreError(
                code: .storageFailure,
                message: "cannot encode the envelope of event \(envelope.eventID) for storage: \(error)"
            )
        }
    }

    /// Decodes a blob written by ``blob(of:scratch:)``; `what` names the record for the error.
    static func envelope(from data: Data?, what: @autoclosure () -> String) throws(StoreError) -> Envelope {
        guard let data else {
            throw StoreError(code: .corruptRecord, message: "\(what()): envelope is NULL")
        }
        return try envelope(from: ByteBuffer(bytes: data), what: what())
    }

    /// Decodes the readable bytes of `bytes`, which must be exactly one EVENT frame; `what`
    /// names the record for the error.
    static func envelope(from bytes: ByteBuffer, what: @autoclosure () -> String) throws(StoreError) -> Envelope {
        var buffer = bytes
        var decoder = codec
        let frame: Frame?
        do {
            frame = try decoder.decode(from: &buffer)
        } catch {
            throw StoreError(code: .corruptRecord, message: "\(what()): stored envelope does not decode: \(error)")
        }
        guard case .event(let delivery)? = frame, buffer.readableBytes == 0 else {
            throw StoreError(
                code: .corruptRecord,
                message: "\(what()): stored envelope (\(bytes.readableBytes) bytes) is not exactly one EVENT frame"
            )
        }
        return delivery.envelope
    }

    /// An idempotency key as stored (schema v9): a key that is an event id as that id's 16-byte
    /// blob, any other key as its text. SQLite never finds a text equal to a blob, and
    /// ``IdempotencyKey`` turns any text that is an id's canonical form into that id, so each
    /// key has exactly one stored form.
    static func databaseValue(of key: IdempotencyKey) -> DatabaseValue {
        if let eventID = key.eventID { return blob(of: eventID).databaseValue }
        return key.description.databaseValue
    }

    /// Reads a key written as ``databaseValue(of:)``; `what` names the record for the error.
    static func idempotencyKey(from value: DatabaseValue, what: @autoclosure () -> String) throws(StoreError) -> IdempotencyKey {
        switch value.storage {
        case .blob(let data): return IdempotencyKey(eventID: try eventID(from: data, what: what()))
        case .string(let text): return IdempotencyKey(text)
        default: throw StoreError(code: .corruptRecord, message: "\(what()): idempotency key is neither text nor a 16-byte id")
        }
    }

    /// The 16-byte big-endian form of `id`.
    static func blob(of id: EventID) -> Data {
        var bytes = Data(count: 16)
        bytes.withUnsafeMutableBytes { raw in
            raw.storeBytes(of: id.high.bigEndian, toByteOffset: 0, as: UInt64.self)
            raw.storeBytes(of: id.low.bigEndian, toByteOffset: 8, as: UInt64.self)
        }
        return bytes
    }

    /// Reads an id written by ``blob(of:)-(EventID)``; `what` names the record for the error.
    static func eventID(from data: Data?, what: @autoclosure () -> String) throws(StoreError) -> EventID {
        guard let data, data.count == 16 else {
            throw StoreError(code: .corruptRecord, message: "\(what()): event id is not 16 bytes")
        }
        return data.withUnsafeBytes { raw in
            EventID(
                high: UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self)),
                low: UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
            )
        }
    }
}
