import Testing
@testable import TroupeHTTP

@Suite("Route table")
struct RouteTableTests {
    let table: RouteTable<String> = {
        var table = RouteTable<String>()
        table.add("GET", "/health", "health")
        table.add("GET", "/dlq", "dlq")
        table.add("POST", "/dlq/{id}/replay", "replay")
        table.add("GET", "/orders/{id}", "order")
        table.add("POST", "/faults", "set")
        table.add("delete", "/faults", "clear")
        table.add("GET", "/", "dashboard")
        return table
    }()

    func handler(_ method: String, _ path: String) -> (String, [String: String])? {
        if case .matched(let handler, let parameters, _) = table.match(method: method, path: path) { return (handler, parameters) }
        return nil
    }

    @Test func literalRoutesMatch() {
        #expect(handler("GET", "/health")?.0 == "health")
        #expect(handler("GET", "/")?.0 == "dashboard")
        #expect(handler("GET", "/health/")?.0 == "health")
        #expect(handler("DELETE", "/faults")?.0 == "clear")
        #expect(handler("delete", "/faults")?.0 == "clear")
    }

    @Test func capturesArePercentDecoded() {
        #expect(handler("POST", "/dlq/42/replay")?.1 == ["id": "42"])
        #expect(handler("GET", "/orders/order%2D0001")?.1 == ["id": "order-0001"])
        #expect(handler("GET", "/orders/100%25")?.1 == ["id": "100%"])
    }

    @Test func unknownPathsAreNotFound() {
        for path in ["/nope", "/dlq/1", "/dlq/1/replay/now", "/orders", "/healthz"] {
            guard case .notFound = table.match(method: "GET", path: path) else {
                Issue.record("\(path) should be not found")
                continue
            }
        }
    }

    @Test func aKnownPathWithAnotherMethodListsTheAllowedOnes() {
        guard case .methodNotAllowed(let allowed) = table.match(method: "PUT", path: "/faults") else {
            Issue.record("PUT /faults should be 405")
            return
        }
        #expect(allowed == ["POST", "DELETE"])
        guard case .methodNotAllowed(let only) = table.match(method: "GET", path: "/dlq/7/replay") else {
            Issue.record("GET /dlq/7/replay should be 405")
            return
        }
        #expect(only == ["POST"])
    }
}
