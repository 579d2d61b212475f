import NIOCore
public import TroupeMesh

extension MeshNode {
    /// The sequence of ``MeshNotification``s a node produces; see ``MeshNode/notifications``.
    ///
    /// A consumer running on the node's event loop (see ``MeshNode/preferredExecutor``) takes
    /// buffered notifications without suspending; any other consumer hops to the loop.
    public struct Notifications: AsyncSequence, Sendable {
        /// What the sequence yields.
        public typealias Element = MeshNotification
        /// It never throws.
        public typealias Failure = Never

        let core: NIOLoopBound<MeshCore>

        /// Creates the iterator; only one may be in use.
        public func makeAsyncIterator() -> Iterator {
            Iterator(core: core)
        }

        /// Iterates notifications.
        public struct Iterator: AsyncIteratorProtocol {
            let core: NIOLoopBound<MeshCore>

            /// The next notification, or nil once the node has shut down.
            public mutating func next() async -> MeshNotification? {
                await take()
            }

            /// The next notification, taken on the caller's executor (what `for await` uses).
            public mutating func next(isolation actor: isolated (any Actor)?) async -> MeshNotification? {
                await take()
            }

            private nonisolated(nonsending) func take() async -> MeshNotification? {
                let core = self.core
                if core.eventLoop.inEventLoop, let next = core.value.inbox.take() { return next }
                return await withCheckedContinuation { continuation in
                    if core.eventLoop.inEventLoop {
                        core.value.inbox.takeOrWait(continuation)
                    } else {
                        core.eventLoop.execute { core.value.inbox.takeOrWait(continuation) }
                    }
                }
            }
        }
    }
}
