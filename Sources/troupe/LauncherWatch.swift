import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Ends a `troupe` process whose launcher is gone, so a killed supervisor or a crashed test run
/// leaves no node processes behind.
///
/// A launcher (`troupe demo`'s supervisor, `troupe bench`, the test harness) puts its own pid in
/// ``variable`` of the child's environment. The child then checks every 200 ms that its parent
/// is still that process; once it is not (the launcher died and the child was re-parented to
/// init or a subreaper), it sends itself SIGTERM and shuts down as on Ctrl-C. A process started
/// by hand has no such variable and is never watched (`nohup troupe node … &` keeps running
/// after its shell exits). Checking the parent pid against the launcher's own, instead of
/// against the parent seen at start, also catches a launcher that died before the child's
/// first look.
enum LauncherWatch {
    /// The environment variable holding the launcher's pid.
    static let variable = "TROUPE_LAUNCHER_PID"

    /// The environment for a child launched by this process: the current one, with this
    /// process as the launcher.
    static func childEnvironment() -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment[variable] = String(getpid())
        return environment
    }

    /// Starts the watch when this process was launched with ``variable`` set.
    static func startIfLaunched() {
        guard let value = ProcessInfo.processInfo.environment[variable], let launcher = pid_t(value) else { return }
        // Not inherited by what this process starts: a child names its own launcher
        // (``childEnvironment()``), and a script started from here must not look watched.
        unsetenv(variable)
        let thread = Thread {
            // Named for `ps -T` and /proc: Foundation's `Thread.name` does not reach the kernel
            // here, and `pthread_setname_np` is not imported from Glibc.
            try? "launcher-watch".write(toFile: "/proc/thread-self/comm", atomically: false, encoding: .utf8)
            while getppid() == launcher {
                usleep(200_000)
            }
            kill(getpid(), SIGTERM)
        }
        thread.start()
    }
}
