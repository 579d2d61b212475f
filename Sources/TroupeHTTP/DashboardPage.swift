/// The dashboard: one self-contained HTML page (no external resources).
enum DashboardPage {
    static let html = "<!doctype html><title>Troupe</title>"
}
