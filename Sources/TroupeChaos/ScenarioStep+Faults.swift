extension ScenarioStep {
    /// The faults this step injects while active, and a label for the timeline.
    func faults(index: Int) throws -> (FaultPlan, String) {
        for (name, value) in [("drop", drop), ("duplicate", duplicate), ("corrupt", corrupt), ("ackLoss", ackLoss), ("handlerFailure", handlerFailure)] {
            if let value, !(0...1).contains(value) { throw ScenarioError("step \(index + 1): \(name) must be between 0 and 1") }
        }
        var plan = FaultPlan()
        var labels: [String] = []
        if let partition {
            for node in partition {
                plan.links.append(LinkFault(from: node, to: "*", bothWays: oneWay != true, partition: true))
            }
            labels.append("partition \(partition.joined(separator: ", "))\(oneWay == true ? " (one way, outbound)" : " (both ways)")")
        }
        var link = LinkFault(from: from ?? "*", to: to ?? "*")
        link.drop = drop ?? 0
        link.duplicate = duplicate ?? 0
        link.corrupt = corrupt ?? 0
        link.ackLoss = ackLoss ?? 0
        link.delayMillis = try delay.map { try Scenario.millis($0, "delay", index) } ?? 0
        link.jitterMillis = try jitter.map { try Scenario.millis($0, "jitter", index) } ?? 0
        link.reorderWindowMillis = try reorder.map { try Scenario.millis($0, "reorder", index) } ?? 0
        link.bandwidthBytesPerSecond = bandwidth ?? 0
        if link != LinkFault(from: link.from, to: link.to) {
            plan.links.append(link)
            var parts: [String] = []
            if link.drop > 0 { parts.append("drop \(link.drop)") }
            if link.duplicate > 0 { parts.append("duplicate \(link.duplicate)") }
            if link.corrupt > 0 { parts.append("corrupt \(link.corrupt)") }
            if link.ackLoss > 0 { parts.append("ack loss \(link.ackLoss)") }
            if link.delayMillis > 0 || link.jitterMillis > 0 { parts.append("delay \(link.delayMillis)ms±\(link.jitterMillis)ms") }
            if link.reorderWindowMillis > 0 { parts.append("reorder \(link.reorderWindowMillis)ms") }
            if link.bandwidthBytesPerSecond > 0 { parts.append("bandwidth \(link.bandwidthBytesPerSecond) B/s") }
            labels.append(parts.joined(separator: ", ") + " on \(link.from) -> \(link.to)")
        }
        var nodeFault = NodeFault(node: node ?? "*")
        nodeFault.handlerFailure = handlerFailure ?? 0
        nodeFault.slowHandlerMillis = try slow.map { try Scenario.millis($0, "slow", index) } ?? 0
        nodeFault.pauseMillis = try pause.map { try Scenario.millis($0, "pause", index) } ?? 0
        if let clockSkew {
            let behind = clockSkew.hasPrefix("-")
            let magnitude = try Scenario.millis(behind ? String(clockSkew.dropFirst()) : clockSkew, "clockSkew", index)
            nodeFault.clockSkewMillis = behind ? -magnitude : magnitude
        }
        if nodeFault != NodeFault(node: nodeFault.node) {
            plan.nodes.append(nodeFault)
            var parts: [String] = []
            if nodeFault.handlerFailure > 0 { parts.append("handler failure \(nodeFault.handlerFailure)") }
            if nodeFault.slowHandlerMillis > 0 { parts.append("slow handler \(nodeFault.slowHandlerMillis)ms") }
            if nodeFault.pauseMillis > 0 { parts.append("pause \(nodeFault.pauseMillis)ms") }
            if nodeFault.clockSkewMillis != 0 { parts.append("clock skew \(nodeFault.clockSkewMillis)ms") }
            labels.append(parts.joined(separator: ", ") + " on \(nodeFault.node)")
        }
        return (plan, labels.joined(separator: "; "))
    }
}
