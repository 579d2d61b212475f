public import NIOCore
public import TroupeWire

/// A hook point on every link, where a fault plan can act on frames (DESIGN.md §5).
///
/// The socket layer calls ``outbound(_:encodedSize:link:)`` for each frame just before it is
/// written and ``inbound(_:link:)`` for each frame just after it is decoded. The decision says how
/// many copies travel, each after what delay and (outbound only) with which bytes flipped, so one
/// small vocabulary expresses drop (no copies), duplicate (two), delay and reorder (delays),
/// corruption (flipped bytes, caught by the receiver's CRC32C), partition (drop all) and a
/// bandwidth cap (a delay computed from `encodedSize`).
///
/// Hooks are called on the mesh's event loop, one call at a time; an implementation that keeps
/// a random generator must still protect it (it is `Sendable`), e.g. with a `Mutex`.
public protocol LinkHook: Sendable {
    /// Decides the fate of a frame about to be written to `link`.
    func outbound(_ frame: Frame, encodedSize: Int, link: LinkEndpoints) -> LinkHookDecision
    /// Decides the fate of a frame just read from `link`. Corruption is ignored here: the frame
    /// has already passed its checksum.
    func inbound(_ frame: Frame, link: LinkEndpoints) -> LinkHookDecision
    /// Whether every frame passes untouched right now (no fault in force). The socket layer
    /// asks first, and skips the hook — and describing the link to it — for each frame while
    /// it does: two calls per event that, with no fault planned, only ever answer ``LinkHookDecision/pass``.
    var isPassingEverything: Bool { get }
}

extension LinkHook {
    /// A hook says nothing about its future decisions unless it implements this: each frame
    /// is put to it.
    public var isPassingEverything: Bool { false }
}

/// The default hook: every frame passes untouched.
public struct PassThroughLinkHook: LinkHook {
    /// Creates the hook.
    public init() {}

    /// Passes the frame.
    public func outbound(_ frame: Frame, encodedSize: Int, link: LinkEndpoints) -> LinkHookDecision { .pass }

    /// Passes the frame.
    public func inbound(_ frame: Frame, link: LinkEndpoints) -> LinkHookDecision { .pass }

    /// Always: it passes every frame.
    public var isPassingEverything: Bool { true }
}

/// What happens to one frame at a hook point: the copies that travel.
public struct LinkHookDecision: Hashable, Sendable {
    /// One copy of the frame that travels.
    public struct Copy: Hashable, Sendable {
        /// Held back this long before it is written (outbound) or handled (inbound).
        public var delay: TimeAmount
        /// Byte offsets into the encoded frame whose bits are inverted before writing.
        public var corruptedByteOffsets: [Int]

        /// Creates a copy.
        public init(delay: TimeAmount = .zero, corruptedByteOffsets: [Int] = []) {
            self.delay = delay
            self.corruptedByteOffsets = corruptedByteOffsets
        }
    }

    /// The copies; empty means the frame is dropped.
    public var copies: [Copy]

    /// Creates a decision.
    public init(copies: [Copy]) { self.copies = copies }

    /// One untouched copy, now.
    public static let pass = LinkHookDecision(copies: [Copy()])
    /// No copy: the frame is lost.
    public static let drop = LinkHookDecision(copies: [])

    /// Whether this is exactly one untouched, undelayed copy.
    public var isPass: Bool { copies.count == 1 && copies[0].delay == .zero && copies[0].corruptedByteOffsets.isEmpty }
}
