/// Faults on the frames of one directed link, `from` → `to`.
///
/// `from` and `to` name a node id or a service; `*` matches any. Probabilistic faults (drop,
/// duplicate, corrupt) and delays act on the data plane — EVENT, ACK and NACK frames — at the
/// sending node; a partition drops every frame in both the sender's outbound and the receiver's
/// inbound hook, so it holds even when only one side has the plan. Links to CONTROL clients
/// (the CLI, the demo supervisor) are never touched.
public struct LinkFault: Codable, Hashable, Sendable {
    /// Sending node id or service, or `*`.
    public var from: String
    /// Receiving node id or service, or `*`.
    public var to: String
    /// Also apply to the reverse direction (`to` → `from`).
    public var bothWays: Bool
    /// Probability (0…1) that a data frame is lost.
    public var drop: Double
    /// Probability (0…1) that a data frame travels twice.
    public var duplicate: Double
    /// Probability (0…1) that a data frame has one byte flipped (caught by the CRC32C).
    public var corrupt: Double
    /// Probability (0…1) that an ACK frame is lost: the consumer committed the effect, the
    /// publisher never hears of it and redelivers (the idempotency store must absorb it).
    public var ackLoss: Double
    /// Fixed delay of every data frame, in milliseconds.
    public var delayMillis: Int
    /// Extra uniform random delay in 0…jitter, in milliseconds.
    public var jitterMillis: Int
    /// Reorder window: each data frame is held back a random 0…window milliseconds, so frames
    /// within the window overtake each other.
    public var reorderWindowMillis: Int
    /// Drop every frame on the link (a partition) while true.
    public var partition: Bool
    /// Bandwidth cap in bytes per second (0: none): frames queue behind each other.
    public var bandwidthBytesPerSecond: Int

    /// Creates a link fault; by default it matches every link and does nothing.
    public init(
        from: String = "*", to: String = "*", bothWays: Bool = false,
        drop: Double = 0, duplicate: Double = 0, corrupt: Double = 0, ackLoss: Double = 0,
        delayMillis: Int = 0, jitterMillis: Int = 0, reorderWindowMillis: Int = 0,
        partition: Bool = false, bandwidthBytesPerSecond: Int = 0
    ) {
        self.from = from
        self.to = to
        self.bothWays = bothWays
        self.drop = drop
        self.duplicate = duplicate
        self.corrupt = corrupt
        self.ackLoss = ackLoss
        self.delayMillis = delayMillis
        self.jitterMillis = jitterMillis
        self.reorderWindowMillis = reorderWindowMillis
        self.partition = partition
        self.bandwidthBytesPerSecond = bandwidthBytesPerSecond
    }

    /// Whether the fault covers frames sent from `sender` to `receiver` (each given as node id
    /// and service).
    public func covers(sender: (node: String, service: String), receiver: (node: String, service: String)) -> Bool {
        func matches(_ pattern: String, _ end: (node: String, service: String)) -> Bool {
            pattern == "*" || pattern == end.node || pattern == end.service
        }
        if matches(from, sender) && matches(to, receiver) { return true }
        return bothWays && matches(from, receiver) && matches(to, sender)
    }

    private enum CodingKeys: String, CodingKey {
        case from, to, bothWays, drop, duplicate, corrupt, ackLoss, delayMillis, jitterMillis, reorderWindowMillis, partition, bandwidthBytesPerSecond
    }

    /// Decodes a link fault; every field may be omitted.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            from: try c.decodeIfPresent(String.self, forKey: .from) ?? "*",
            to: try c.decodeIfPresent(String.self, forKey: .to) ?? "*",
            bothWays: try c.decodeIfPresent(Bool.self, forKey: .bothWays) ?? false,
            drop: try c.decodeIfPresent(Double.self, forKey: .drop) ?? 0,
            duplicate: try c.decodeIfPresent(Double.self, forKey: .duplicate) ?? 0,
            corrupt: try c.decodeIfPresent(Double.self, forKey: .corrupt) ?? 0,
            ackLoss: try c.decodeIfPresent(Double.self, forKey: .ackLoss) ?? 0,
            delayMillis: try c.decodeIfPresent(Int.self, forKey: .delayMillis) ?? 0,
            jitterMillis: try c.decodeIfPresent(Int.self, forKey: .jitterMillis) ?? 0,
            reorderWindowMillis: try c.decodeIfPresent(Int.self, forKey: .reorderWindowMillis) ?? 0,
            partition: try c.decodeIfPresent(Bool.self, forKey: .partition) ?? false,
            bandwidthBytesPerSecond: try c.decodeIfPresent(Int.self, forKey: .bandwidthBytesPerSecond) ?? 0
        )
    }
}
