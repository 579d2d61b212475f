import ArgumentParser

/// `troupe demo --via`: how the demo places its orders.
enum OrderChannel: String, CaseIterable, ExpressibleByArgument {
    /// `publish` CONTROL frames to the order node.
    case control
    /// `POST /orders` to the order node's HTTP ingress.
    case http
}
