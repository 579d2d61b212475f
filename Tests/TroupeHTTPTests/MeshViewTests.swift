import Testing
import TroupeChaos
@testable import TroupeHTTP

@Suite("Mesh view: links and fault plans")
struct MeshViewTests {
    func node(_ id: String, connected: [String], faults: FaultPlan? = .empty) -> NodeView {
        NodeView(nodeID: id, service: id, listen: "127.0.0.1:1", reachable: true, connectedMembers: connected, faults: faults)
    }

    @Test func everyPairIsOneLinkInNodeOrder() {
        let links = LinkView.links(between: [node("payment", connected: ["order"]), node("order", connected: ["payment"]), node("inventory", connected: [])])
        #expect(links.map { "\($0.a)-\($0.b)" } == ["inventory-order", "inventory-payment", "order-payment"])
        #expect(links.map(\.connected) == [false, false, true])
        #expect(links.allSatisfy { $0.condition == "ok" && $0.faults.isEmpty })
    }

    @Test func aPartitionOfOneServiceColoursItsLinksOnly() {
        let plan = FaultPlan(links: [LinkFault(from: "payment", to: "*", bothWays: true, partition: true)])
        let nodes = [node("order", connected: ["inventory"], faults: plan), node("inventory", connected: ["order"]), node("payment", connected: [], faults: plan)]
        let links = Dictionary(uniqueKeysWithValues: LinkView.links(between: nodes).map { ("\($0.a)-\($0.b)", $0) })
        #expect(links["order-payment"]?.condition == "partitioned")
        #expect(links["inventory-payment"]?.condition == "partitioned")
        #expect(links["inventory-order"]?.condition == "ok")
        #expect(links["order-payment"]?.faults.contains("partition payment→order") == true)
        #expect(links["order-payment"]?.faults.contains("partition order→payment") == true)
    }

    @Test func probabilisticFaultsDegradeALink() {
        let plan = FaultPlan(links: [LinkFault(from: "order", to: "inventory", drop: 0.2, delayMillis: 30)])
        let links = LinkView.links(between: [node("order", connected: ["inventory"], faults: plan), node("inventory", connected: ["order"])])
        #expect(links.first?.condition == "degraded")
        #expect(links.first?.faults == ["drop 20%, delay 30±0ms order→inventory"])
    }

    @Test func faultPlansOutOfRangeAreRefused() {
        #expect(FaultPlanValidation.problem(in: FaultPlan(links: [LinkFault(drop: 0.5)])) == nil)
        #expect(FaultPlanValidation.problem(in: FaultPlan(links: [LinkFault(drop: 1.5)]))?.contains("links[0].drop") == true)
        #expect(FaultPlanValidation.problem(in: FaultPlan(links: [LinkFault(delayMillis: -1)]))?.contains("delayMillis") == true)
        #expect(FaultPlanValidation.problem(in: FaultPlan(links: [LinkFault(from: "")]))?.contains("from and to") == true)
        #expect(FaultPlanValidation.problem(in: FaultPlan(nodes: [NodeFault(handlerFailure: -0.1)]))?.contains("handlerFailure") == true)
    }
}
