import NIOCore
import TroupeWire

/// One link's channel, and the frames encoded for it that the channel has not been given yet.
///
/// Giving NIO one buffer per frame cost, per frame, a buffer allocation (whose first guess of
/// 256 bytes was outgrown by every event frame, so it was allocated twice) and a trip down the
/// pipeline's write path to the channel's pending writes: ~4k instructions per event in a
/// `troupe bench` profile (Benchmarks/README.md, ninth round). ``MeshCore`` instead appends each
/// frame to the link's pending buffer and hands the whole buffer to the channel as one write
/// when it flushes the tick's writes — a burst of frames costs one allocation and one write.
///
/// The pending buffer goes to the channel early, past ``handOverThreshold``, so a large burst
/// streams out and the channel's writability (which routing reads as back-pressure) still
/// follows the bytes given to it.
///
/// A class, not a struct in ``MeshCore``'s dictionary: handing over calls into the channel,
/// and a write or flush can re-enter the core synchronously (a failed flush closes the link,
/// and the core then removes it and performs the machine's actions), which must not happen
/// inside an access to the dictionary.
final class OutboundLink {
    /// Pending bytes at or past this size are handed over at once: half of NIO's default high
    /// write watermark (64 KiB), so one hand-over does not make the channel unwritable by itself.
    static let handOverThreshold = 32 * 1024
    /// Smallest capacity a new pending buffer starts with.
    static let minimumCapacity = 1024

    /// The link's channel.
    let channel: any Channel
    /// Frames encoded since the last hand-over, in order; nil when there are none.
    private var pending: ByteBuffer?
    /// Capacity of the next pending buffer: about what the last one held, so a steady flow
    /// allocates once per hand-over instead of growing the buffer.
    private var nextCapacity = OutboundLink.minimumCapacity

    init(channel: any Channel) {
        self.channel = channel
    }

    /// Bytes waiting for the next hand-over.
    var pendingBytes: Int { pending?.readableBytes ?? 0 }

    /// Encodes `frame` after the pending frames; returns its encoded size. When encoding
    /// throws, nothing is appended.
    func append(_ frame: Frame, with codec: FrameCodec) throws(WireError) -> Int {
        if pending == nil {
            pending = channel.allocator.buffer(capacity: nextCapacity)
        }
        let before = pending!.readableBytes
        try codec.encode(frame, into: &pending!)
        return pending!.readableBytes - before
    }

    /// Removes the last `count` pending bytes (the frame just appended) and returns them in a
    /// buffer of their own, for a link hook that changes that frame.
    func takeLast(_ count: Int) -> ByteBuffer {
        guard count > 0, let held = pending?.readableBytes, held >= count else {
            return channel.allocator.buffer(capacity: 0)
        }
        var bytes = channel.allocator.buffer(capacity: count)
        pending!.withUnsafeReadableBytes { raw in
            _ = bytes.writeBytes(UnsafeRawBufferPointer(rebasing: raw[(held - count)...]))
        }
        pending!.moveWriterIndex(to: pending!.writerIndex - count)
        return bytes
    }

    /// Gives the pending frames to the channel as one write (not flushed).
    func handOver() {
        guard let buffer = pending else { return }
        pending = nil  // before the write, which may re-enter the core
        guard buffer.readableBytes > 0 else { return }
        nextCapacity = max(Self.minimumCapacity, min(buffer.readableBytes + buffer.readableBytes / 4, Self.handOverThreshold))
        channel.write(buffer, promise: nil)
    }

    /// Gives the pending frames to the channel and flushes it.
    func handOverAndFlush() {
        handOver()
        channel.flush()
    }

    /// Hands the pending frames over once they reach ``handOverThreshold``, flushing at once if
    /// the channel is past its high watermark.
    func handOverIfLarge() {
        guard pendingBytes >= Self.handOverThreshold else { return }
        handOver()
        if !channel.isWritable {
            channel.flush()
        }
    }
}
