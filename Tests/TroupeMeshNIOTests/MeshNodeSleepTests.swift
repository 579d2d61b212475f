import NIOCore
import NIOPosix
import Testing
import TroupeMesh
import TroupeMeshNIO

/// `MeshNode.sleep(for:)`: the runtime node's tick timer on the node's event loop.
@Suite("A mesh node's loop timer")
struct MeshNodeSleepTests {
    @Test func aSleepEndsOnTheLoopAfterItsDuration() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let running = try await RunningNode.start("sleeper", on: group)
        let loop = running.node.eventLoop
        let started = ContinuousClock.now
        let wokeOnLoop = try await withTaskExecutorPreference(running.node.preferredTaskExecutor) {
            try await running.node.sleep(for: .milliseconds(20))
            return loop.inEventLoop
        }
        #expect(ContinuousClock.now - started >= .milliseconds(20))
        #expect(wokeOnLoop, "a task preferring the loop resumes on it")
        await running.stop()
        try await group.shutdownGracefully()
    }

    @Test func cancellingTheTaskEndsTheSleepWithACancellationError() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let running = try await RunningNode.start("sleeper", on: group)
        let node = running.node
        let sleeper = Task { try await node.sleep(for: .seconds(3600)) }
        sleeper.cancel()
        await #expect(throws: CancellationError.self) { try await sleeper.value }

        let alreadyCancelled = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            try await node.sleep(for: .seconds(3600))
        }
        await #expect(throws: CancellationError.self) { try await alreadyCancelled.value }
        await running.stop()
        try await group.shutdownGracefully()
    }
}
