public import NIOCore

/// Conversions to and from the `NIODeadline` the mesh state machine is driven with, so one
/// `now` can feed both layers.
extension MonotonicTime {
    /// The instant at `deadline`, using NIO's uptime origin.
    public init(_ deadline: NIODeadline) {
        self.init(nanoseconds: Int64(clamping: deadline.uptimeNanoseconds))
    }

    /// The same instant as a `NIODeadline` (instants before NIO's origin clamp to it).
    public var nioDeadline: NIODeadline {
        let (seconds, attoseconds) = sinceOrigin.components
        let nanoseconds = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        guard !nanoseconds.overflow else { return seconds < 0 ? .uptimeNanoseconds(0) : .distantFuture }
        let total = nanoseconds.partialValue.addingReportingOverflow(attoseconds / 1_000_000_000)
        guard !total.overflow, total.partialValue > 0 else { return .uptimeNanoseconds(0) }
        return .uptimeNanoseconds(UInt64(total.partialValue))
    }
}
