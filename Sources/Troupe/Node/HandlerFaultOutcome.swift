/// What a handler fault hook decides for one delivery (see ``Node/setHandlerFaultHook(_:)``).
public enum HandlerFaultOutcome: Hashable, Sendable {
    /// Run the handler as usual.
    case proceed
    /// Do not run the handler: the delivery fails with `reason` and is NACKed (retried later).
    case fail(reason: String)
}

/// The error a delivery fails with when a handler fault hook says ``HandlerFaultOutcome/fail(reason:)``.
struct InjectedHandlerFailure: Error, CustomStringConvertible {
    let reason: String
    var description: String { "injected fault: \(reason)" }
}
