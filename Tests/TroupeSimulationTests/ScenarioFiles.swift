import Foundation
import OrderSaga

/// Where the chaos scenarios of the repository live, found from this file's path.
enum ScenarioFiles {
    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    static var directory: String { repositoryRoot.appendingPathComponent("Samples/Scenarios").path }

    static var names: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
            .filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted()
    }
}

/// The order service the saga hosts.
enum OrderServiceForTests {
    static let service = OrderService()
}
