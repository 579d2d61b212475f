/// Faults to inject, as data (DESIGN.md §5): per directed link and per node.
///
/// A plan is `Codable`, so the CLI (`troupe chaos set`), scenario files, CONTROL frames
/// (`faults.set`) and tests all speak the same language. Every random choice a plan causes is
/// drawn from one seeded generator (see ``ChaosLinkHook`` and ``HandlerFaultInjector``).
///
/// ```json
/// {"links": [{"from": "*", "to": "payment", "drop": 0.2}],
///  "nodes": [{"node": "inventory", "handlerFailure": 0.1}]}
/// ```
public struct FaultPlan: Codable, Hashable, Sendable {
    /// Faults on directed links.
    public var links: [LinkFault]
    /// Faults on nodes' handlers.
    public var nodes: [NodeFault]

    /// Creates a plan.
    public init(links: [LinkFault] = [], nodes: [NodeFault] = []) {
        self.links = links
        self.nodes = nodes
    }

    /// No faults at all. (Not `none`, which would read as `Optional.none` in optional contexts.)
    public static let empty = FaultPlan()

    /// Whether the plan injects nothing.
    public var isEmpty: Bool { links.isEmpty && nodes.isEmpty }

    /// This plan with `other`'s faults added.
    public func merged(with other: FaultPlan) -> FaultPlan {
        FaultPlan(links: links + other.links, nodes: nodes + other.nodes)
    }

    private enum CodingKeys: String, CodingKey { case links, nodes }

    /// Decodes a plan; both lists may be omitted.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        links = try container.decodeIfPresent([LinkFault].self, forKey: .links) ?? []
        nodes = try container.decodeIfPresent([NodeFault].self, forKey: .nodes) ?? []
    }
}
