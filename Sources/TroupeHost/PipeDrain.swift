public import Foundation

/// Reads a child's pipe to its end on a thread of its own, with blocking reads.
///
/// `FileHandle.readabilityHandler` is not used: on Linux it rests on a dispatch read source,
/// and a source still registered when its pipe's descriptor is closed (the child exited, the
/// handle was released or replaced) can crash libdispatch's event thread. A blocking read
/// holds the handle, and with it the descriptor, until end of file. Used by the CLI's process
/// supervisors (demo, bench) and by the tests that launch the `troupe` binary.
public enum PipeDrain {
    /// Calls `received` with each chunk read from `handle`, then `ended` at end of file.
    public static func start(_ handle: FileHandle, received: @escaping @Sendable (Data) -> Void, ended: @escaping @Sendable () -> Void = {}) {
        let thread = Thread {
            while true {
                let chunk = handle.availableData
                guard !chunk.isEmpty else { break }
                received(chunk)
            }
            ended()
        }
        thread.name = "troupe.pipe"
        thread.start()
    }
}
