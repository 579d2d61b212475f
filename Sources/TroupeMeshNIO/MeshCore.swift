import Logging
import NIOCore
import NIOPosix
import TroupeMesh
import TroupeWire

/// The shell around ``MeshStateMachine``: confined to one event loop, it feeds the machine the
/// facts the sockets produce and performs the actions the machine returns. Every channel of the
/// node lives on the same loop, so no locks are needed anywhere.
final class MeshCore {
    let eventLoop: any EventLoop
    let logger: Logger
    private(set) var machine: MeshStateMachine
    private let hook: any LinkHook
    let filter: any SubscriptionFilter
    private var codec: FrameCodec
    private let limits: WireLimits
    private var links: [LinkID: OutboundLink] = [:]
    /// Links with frames not yet flushed (in their pending buffer or written to the channel).
    private var linksToFlush: Set<LinkID> = []
    /// Notifications for the node's consumer; see ``MeshInbox``.
    private(set) var inbox: MeshInbox!
    /// Whether a flush of the links written to is already scheduled for the end of this tick.
    private var flushScheduled = false
    private var readingPaused = false
    private var tickTask: RepeatedTask?
    private(set) var isShutDown = false
    var serverChannel: (any Channel)?
    var connectTimeout: TimeAmount

    init(machine: MeshStateMachine, hook: any LinkHook, filter: any SubscriptionFilter, limits: WireLimits, eventLoop: any EventLoop, logger: Logger) {
        self.machine = machine
        self.hook = hook
        self.filter = filter
        self.codec = FrameCodec(limits: limits)
        self.limits = limits
        self.eventLoop = eventLoop
        self.logger = logger
        self.connectTimeout = machine.configuration.handshakeTimeout
    }

    func start(tickInterval: TimeAmount, lowWatermark: Int = 256, highWatermark: Int = 4096) {
        inbox = MeshInbox(lowWatermark: lowWatermark, highWatermark: highWatermark) { [unowned self] pause in
            setReading(paused: pause)
        }
        performAndFlush(machine.start(now: .now()))
        let bound = NIOLoopBound(self, eventLoop: eventLoop)
        tickTask = eventLoop.scheduleRepeatedTask(initialDelay: tickInterval, delay: tickInterval) { _ in
            let core = bound.value
            core.performAndFlush(core.machine.tick(now: .now()))
        }
    }

    // MARK: Facts from channels

    /// Registers a new connection. `assign` receives the link's id before any of the machine's
    /// actions for it run: one of them may close the channel at once, and its closure must be
    /// reported under that id.
    func linkOpened(channel: any Channel, role: LinkRole, assign: (LinkID) -> Void) {
        guard !isShutDown else {
            channel.close(promise: nil)
            return
        }
        let (id, actions) = machine.linkOpened(role: role, now: .now())
        links[id] = OutboundLink(channel: channel)
        assign(id)
        if readingPaused { channel.setOption(.autoRead, value: false).whenComplete { _ in } }
        performAndFlush(actions)
    }

    func frameReceived(_ frame: Frame, on id: LinkID) {
        if hook.isPassingEverything {
            perform(machine.frameReceived(frame, on: id, now: .now()))
            return
        }
        let decision = hook.inbound(frame, link: machine.endpoints(of: id))
        if decision.isPass {
            perform(machine.frameReceived(frame, on: id, now: .now()))
            return
        }
        for copy in decision.copies {
            if copy.delay == .zero {
                perform(machine.frameReceived(frame, on: id, now: .now()))
            } else {
                let bound = NIOLoopBound(self, eventLoop: eventLoop)
                eventLoop.scheduleTask(in: copy.delay) {
                    let core = bound.value
                    guard core.links[id] != nil else { return }
                    core.performAndFlush(core.machine.frameReceived(frame, on: id, now: .now()))
                }
            }
        }
    }

    func linkClosed(_ id: LinkID) {
        links.removeValue(forKey: id)
        linksToFlush.remove(id)
        performAndFlush(machine.linkClosed(id, now: .now()))
    }

    func writabilityChanged(on id: LinkID, isWritable: Bool) {
        machine.linkWritabilityChanged(id, isWritable: isWritable)
    }

    func protocolErrorOccurred(_ error: WireError, on id: LinkID?, channel: any Channel) {
        machine.protocolErrorDetected(checksumMismatch: error.code == .checksumMismatch)
        logger.warning("closing link after protocol error: \(error)", metadata: [
            "link": "\(id.map { "\($0)" } ?? "-")",
            "remote": "\(channel.remoteAddress.map { "\($0)" } ?? "-")",
            "peer": "\(id.flatMap { machine.peer(on: $0)?.nodeID } ?? "-")",
        ])
        let farewell = Frame.error(ErrorFrame(code: error.code.rawValue, message: error.description))
        if let id, let link = links[id] { link.handOver() }
        writeFarewell(farewell, on: channel)
    }

    // MARK: Actions

    func perform(_ actions: [MeshAction]) {
        for action in actions { perform(action) }
    }

    /// Performs one action.
    func perform(_ action: MeshAction) {
        switch action {
        case .send(let frame, let id):
            send(frame, on: id)
        case .close(let id, let farewell, let reason):
            close(id, farewell: farewell, reason: reason)
        case .dial(let address, let expectedNodeID):
            dial(address, expectedNodeID: expectedNodeID)
        case .deliver(let inbound):
            notify(.inbound(inbound))
        case .memberUp(let member):
            logger.info("member up: \(member)")
            notify(.memberUp(member))
        case .memberDown(let member, let reason):
            logger.info("member down: \(member.nodeID): \(reason)")
            notify(.memberDown(member, reason: reason))
        case .interestChanged:
            notify(.interestChanged)
        }
    }

    /// Performs `actions` and flushes every link written to. Used by every entry point except
    /// `channelRead`, whose writes are flushed once per read burst (`channelReadComplete`).
    func performAndFlush(_ actions: [MeshAction]) {
        perform(actions)
        flushPendingWrites()
    }

    /// Hands every link's pending frames to its channel and flushes it.
    func flushPendingWrites() {
        for id in linksToFlush {
            // Taken out first: no access to `links` may span the channel calls (they can re-enter).
            if let link = links[id] { link.handOverAndFlush() }
        }
        linksToFlush.removeAll(keepingCapacity: true)
    }

    /// Encodes `frame` for link `id`. A frame the link hook passes unchanged (always, without
    /// fault injection) is appended to the link's pending buffer, which goes to the channel as
    /// one write when the tick's writes are flushed — or at once past
    /// ``OutboundLink/handOverThreshold``, so a burst streams out. A frame the hook changes
    /// (drops, duplicates, corrupts, delays) is written on its own, after the frames pending
    /// before it, so the link's order is kept.
    private func send(_ frame: Frame, on id: LinkID) {
        guard let link = links[id] else { return }
        let encodedSize: Int
        do {
            encodedSize = try link.append(frame, with: codec)
        } catch {
            logger.error("dropping unencodable \(frame.type) frame: \(error)")
            return
        }
        linksToFlush.insert(id)
        if hook.isPassingEverything {
            link.handOverIfLarge()
            return
        }
        let decision = hook.outbound(frame, encodedSize: encodedSize, link: machine.endpoints(of: id))
        if decision.isPass {
            link.handOverIfLarge()
            return
        }
        let buffer = link.takeLast(encodedSize)
        link.handOver()
        let channel = link.channel
        for copy in decision.copies {
            var bytes = buffer
            for offset in copy.corruptedByteOffsets where bytes.readableBytes > 0 {
                let index = bytes.readerIndex + offset % bytes.readableBytes
                bytes.setInteger(~bytes.getInteger(at: index, as: UInt8.self)!, at: index)
            }
            if copy.delay == .zero {
                channel.write(bytes, promise: nil)
            } else {
                eventLoop.scheduleTask(in: copy.delay) { [bytes] in
                    channel.writeAndFlush(bytes, promise: nil)
                }
            }
        }
    }

    private func close(_ id: LinkID, farewell: Frame?, reason: String) {
        guard let link = links[id] else { return }
        let channel = link.channel
        logger.debug("closing \(id): \(reason)")
        link.handOverAndFlush()
        if let farewell {
            writeFarewell(farewell, on: channel)
        } else {
            channel.close(promise: nil)
        }
    }

    private func writeFarewell(_ farewell: Frame, on channel: any Channel) {
        var buffer = channel.allocator.buffer(capacity: 128)
        if (try? codec.encode(farewell, into: &buffer)) != nil {
            channel.writeAndFlush(buffer).whenComplete { _ in channel.close(promise: nil) }
        } else {
            channel.close(promise: nil)
        }
    }

    private func dial(_ address: PeerAddress, expectedNodeID: String?) {
        let bound = NIOLoopBound(self, eventLoop: eventLoop)
        let role = LinkRole.dialer(address: address, expectedNodeID: expectedNodeID)
        let limits = self.limits
        ClientBootstrap(group: eventLoop)
            .connectTimeout(connectTimeout)
            .channelOption(.socketOption(.so_reuseaddr), value: 1)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try MeshCore.configure(channel.pipeline.syncOperations, core: bound.value, role: role, limits: limits)
                }
            }
            .connect(host: address.host, port: Int(address.port))
            .whenFailure { error in
                let core = bound.value
                core.logger.debug("dial \(address) failed: \(error)")
                core.performAndFlush(core.machine.dialFailed(address, now: .now()))
            }
    }

    static func configure(_ pipeline: ChannelPipeline.SynchronousOperations, core: MeshCore, role: LinkRole, limits: WireLimits) throws {
        try pipeline.addHandler(MeshChannelHandler(core: core, role: role, limits: limits))
    }

    // MARK: Inbound flow control

    private func notify(_ notification: MeshNotification) {
        inbox?.yield(notification)
    }

    func setReading(paused: Bool) {
        guard paused != readingPaused else { return }
        readingPaused = paused
        for channel in links.values.map(\.channel) {
            channel.setOption(.autoRead, value: !paused).whenComplete { _ in }
            if !paused { channel.read() }
        }
    }

    // MARK: Operations from the public API

    /// Runs an operation of the public API. Its frames are written now and flushed once at the
    /// end of this event-loop tick, so a consumer on the loop that routes many events in one
    /// turn (a node acking a burst, redelivering a batch) costs one `writev` per link, not one
    /// write per frame.
    func run<Result>(_ body: (inout MeshStateMachine) -> (Result, [MeshAction])) -> Result {
        let (result, actions) = body(&machine)
        perform(actions)
        scheduleFlush()
        return result
    }

    /// ``run(_:)`` for a body that asks for at most one action (routing one event): no array
    /// to build and walk for it, once per event and group.
    func runOne<Result>(_ body: (inout MeshStateMachine) -> (Result, MeshAction?)) -> Result {
        let (result, action) = body(&machine)
        if let action { perform(action) }
        scheduleFlush()
        return result
    }

    private func scheduleFlush() {
        guard !flushScheduled, !linksToFlush.isEmpty else { return }
        flushScheduled = true
        let bound = NIOLoopBound(self, eventLoop: eventLoop)
        eventLoop.execute {
            let core = bound.value
            core.flushScheduled = false
            core.flushPendingWrites()
        }
    }

    func shutdown() -> EventLoopFuture<Void> {
        guard !isShutDown else { return eventLoop.makeSucceededVoidFuture() }
        isShutDown = true
        tickTask?.cancel()
        performAndFlush(machine.shutdown())
        let closes = links.values.map { $0.channel.closeFuture } + [serverChannel?.close() ?? eventLoop.makeSucceededVoidFuture()]
        flushPendingWrites()
        inbox?.finish()
        return EventLoopFuture.andAllComplete(closes, on: eventLoop)
    }
}
