import TroupeChaos

/// Checks a fault plan that arrived over HTTP before it reaches any node.
enum FaultPlanValidation {
    /// The first problem in `plan`, or nil when it is acceptable.
    static func problem(in plan: FaultPlan) -> String? {
        for (index, link) in plan.links.enumerated() {
            for (name, value) in [("drop", link.drop), ("duplicate", link.duplicate), ("corrupt", link.corrupt), ("ackLoss", link.ackLoss)]
            where !(0...1).contains(value) {
                return "links[\(index)].\(name) must be between 0 and 1, not \(value)"
            }
            for (name, value) in [("delayMillis", link.delayMillis), ("jitterMillis", link.jitterMillis),
                                  ("reorderWindowMillis", link.reorderWindowMillis), ("bandwidthBytesPerSecond", link.bandwidthBytesPerSecond)]
            where value < 0 {
                return "links[\(index)].\(name) must not be negative"
            }
            if link.from.isEmpty || link.to.isEmpty { return "links[\(index)]: from and to must name a node, a service or *" }
        }
        for (index, node) in plan.nodes.enumerated() {
            if !(0...1).contains(node.handlerFailure) { return "nodes[\(index)].handlerFailure must be between 0 and 1, not \(node.handlerFailure)" }
            if node.slowHandlerMillis < 0 || node.pauseMillis < 0 { return "nodes[\(index)]: slowHandlerMillis and pauseMillis must not be negative" }
        }
        return nil
    }
}
