import NIOCore
public import TroupeMesh

extension MeshNode {
    /// The sequence of ``MeshNotification``s a node produces; see ``MeshNode/notifications``.
    public struct Notifications: AsyncSequence, Sendable {
        /// What the sequence yields.
        public typealias Element = MeshNotification
        /// It never throws.
        public typealias Failure = Never

        let base: MeshCore.Inbound

        /// Creates the iterator; only one may exist.
        public func makeAsyncIterator() -> Iterator {
            Iterator(base: base.makeAsyncIterator())
        }

        /// Iterates notifications.
        public struct Iterator: AsyncIteratorProtocol {
            var base: MeshCore.Inbound.AsyncIterator

            /// The next notification, or nil once the node has shut down.
            public mutating func next() async -> MeshNotification? {
                await base.next()
            }
        }
    }
}
