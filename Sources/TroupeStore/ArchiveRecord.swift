import NIOCore
import Troupe
import TroupeWire

/// The binary form of one archive entry in the ``ArchiveLog``: what `troupe trace` shows of an
/// event this node published or handled.
///
/// ```
/// u32 body length (big-endian) | u32 CRC32C of the body | body:
///   u64 seq | i64 at (µs) | u8 direction (0 published, 1 handled)
///   | u8 node id length | node id (UTF-8) | u16 group length | group (UTF-8)
///   | the envelope as a whole EVENT frame (``RecordCoding``), to the end of the body
/// ```
///
/// The seq is the entry's number in the database's archive blocks (``ArchiveIndexBlock``); a
/// reader checks it against the entry that named the record, so a position that points at the wrong record is caught, not
/// believed. The checksum covers the whole body, the envelope frame carries its own.
///
/// Pure: encoding and decoding touch no file (``ArchiveLog`` does the I/O).
struct ArchiveRecord: Sendable {
    /// Bytes before the body: its length and its checksum.
    static let headerLength = 8

    var seq: Int64
    var event: ArchivedEvent

    /// Appends the record of `event` as entry `seq` to `buffer`, and returns its length.
    static func append(
        seq: Int64, envelope: Envelope, direction: ArchivedEvent.Direction, nodeID: String, group: String,
        atMicros: Int64, to buffer: inout ByteBuffer
    ) throws(StoreError) -> Int {
        let start = buffer.writerIndex
        buffer.writeInteger(UInt64(0))  // the header, filled in below
        let bodyStart = buffer.writerIndex
        buffer.writeInteger(UInt64(bitPattern: seq))
        buffer.writeInteger(atMicros)
        buffer.writeInteger(direction == .published ? UInt8(0) : UInt8(1))
        let nodeLength = nodeID.utf8.count, groupLength = group.utf8.count
        guard nodeLength <= Int(UInt8.max), groupLength <= Int(UInt16.max) else {
            buffer.moveWriterIndex(to: start)
            throw StoreError(code: .storageFailure,
                             message: "cannot archive event \(envelope.eventID): node id (\(nodeLength) bytes) or group (\(groupLength) bytes) too long for an archive record")
        }
        buffer.writeInteger(UInt8(nodeLength))
        buffer.writeString(nodeID)
        buffer.writeInteger(UInt16(groupLength))
        buffer.writeString(group)
        do {
            try RecordCoding.codec.encode(.event(EventDelivery(deliveryID: 0, group: "", envelope: envelope)), into: &buffer)
        } catch {
            buffer.moveWriterIndex(to: start)
            throw StoreError(code: .storageFailure, message: "cannot encode the envelope of event \(envelope.eventID) for the archive: \(error)")
        }
        let bodyLength = buffer.writerIndex - bodyStart
        let checksum = buffer.withUnsafeReadableBytes { all in
            var crc = CRC32C()
            crc.update(UnsafeRawBufferPointer(rebasing: all[(bodyStart - buffer.readerIndex)...]))
            return crc.value
        }
        buffer.setInteger(UInt32(bodyLength), at: start)
        buffer.setInteger(checksum, at: start + 4)
        return buffer.writerIndex - start
    }

    /// The body length a record's header announces, or nil when `header` is shorter than
    /// ``headerLength``.
    static func bodyLength(ofHeader header: some Collection<UInt8>) -> Int? {
        guard header.count >= headerLength else { return nil }
        return header.prefix(4).reduce(0) { $0 << 8 | Int($1) }
    }

    /// Decodes one whole record (header and body) read from position `position`; `expectedSeq`
    /// is the seq of the row that named it (nil: an outbox row, which checks the event id).
    /// Any mismatch is a ``StoreError/Code/corruptRecord``.
    init(decoding bytes: ByteBuffer, position: Int64, expectedSeq: Int64?) throws(StoreError) {
        func corrupt(_ why: String) -> StoreError {
            StoreError(code: .corruptRecord, message: "the archive record at log position \(position) \(why)")
        }
        var buffer = bytes
        guard let length = buffer.readInteger(as: UInt32.self), let checksum = buffer.readInteger(as: UInt32.self) else {
            throw corrupt("is shorter than its header")
        }
        guard buffer.readableBytes == Int(length) else { throw corrupt("is \(buffer.readableBytes) bytes, its header says \(length)") }
        let actual = buffer.withUnsafeReadableBytes { body in
            var crc = CRC32C()
            crc.update(body)
            return crc.value
        }
        guard actual == checksum else { throw corrupt("fails its checksum") }
        guard let seq = buffer.readInteger(as: UInt64.self).map({ Int64(bitPattern: $0) }),
              let at = buffer.readInteger(as: Int64.self),
              let rawDirection = buffer.readInteger(as: UInt8.self),
              let nodeLength = buffer.readInteger(as: UInt8.self),
              let nodeID = buffer.readString(length: Int(nodeLength)),
              let groupLength = buffer.readInteger(as: UInt16.self),
              let group = buffer.readString(length: Int(groupLength))
        else { throw corrupt("is truncated") }
        if let expectedSeq, seq != expectedSeq { throw corrupt("is entry \(seq), not \(expectedSeq)") }
        let direction: ArchivedEvent.Direction
        switch rawDirection {
        case 0: direction = .published
        case 1: direction = .handled
        default: throw corrupt("has an unknown direction \(rawDirection)")
        }
        let envelope = try RecordCoding.envelope(from: buffer, what: "archive record at log position \(position)")
        self.seq = seq
        self.event = ArchivedEvent(envelope: envelope, direction: direction, nodeID: nodeID, group: group, atMicros: at)
    }
}
