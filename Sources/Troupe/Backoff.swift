// Filled in by the runtime work.
enum BackoffPlaceholder {}
