/// A handler registered in a ``HandlerSet``, with what the node needs to subscribe it.
///
/// Not generic, so the set's table of registrations is a dictionary of one concrete type: the
/// node's code is generic over its service and not specialized, and every access to a table of
/// a type generic over the state looked up that type's metadata at run time. The function that
/// processes deliveries lives in the subclass, ``HandlerSet/TypedRegistration``.
class HandlerRegistration: @unchecked Sendable {
    /// The event type handled.
    let eventType: String
    /// The subscription's filter and ordering.
    let settings: SubscriptionSettings

    init(eventType: String, settings: SubscriptionSettings) {
        self.eventType = eventType
        self.settings = settings
    }
}
