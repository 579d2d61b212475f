/// A command failed for a reason the user can act on; printed as one line, exit status 1.
struct CommandFailure: Error, CustomStringConvertible {
    /// The line printed after `Error: `.
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
