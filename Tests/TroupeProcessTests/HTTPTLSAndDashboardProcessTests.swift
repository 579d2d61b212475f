import Foundation
import Testing
import TroupeTestSupport

/// h2 over TLS with ALPN, the dashboard in headless Chromium, and the demo driven over HTTP.
@Suite("HTTP ingress: TLS, dashboard, demo", .serialized)
struct HTTPTLSAndDashboardProcessTests {
    @Test("h2 and http/1.1 over TLS, negotiated by ALPN",
          .enabled(if: ExternalTool.nghttp != nil && ExternalTool.openssl != nil, "needs nghttp and openssl: apt-get install -y nghttp2-client openssl"))
    func tlsNegotiatesH2AndHTTP1() async throws {
        let openssl = try #require(ExternalTool.openssl)
        let directory = try TroupeExecutable.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let made = try await openssl.run(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "\(directory)/key.pem", "-out", "\(directory)/cert.pem",
                                          "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"])
        try #require(made.status == 0, "openssl could not make a certificate: \(made.stderr)")
        let node = try ChildProcess(["node", "--service", "order", "--listen", "127.0.0.1:0", "--http", "127.0.0.1:0",
                                     "--tls-cert", "\(directory)/cert.pem", "--tls-key", "\(directory)/key.pem"])
        _ = await node.waitUntilReady()
        let http = try #require(HTTPAPIProcessTests.httpURL(of: node), "no ready line: \(node.stderr)")
        let base = http.replacingOccurrences(of: "http://", with: "https://")
        #expect(node.stdout.contains("url=\(base)/"))

        let h2 = try await HTTPTestClient.http2.send("GET", base + "/health")
        #expect(h2.status == 200 && h2.object["nodeID"] as? String == "order")
        #expect(h2.version.contains("2"), "\(h2.version)")
        let error = try await HTTPTestClient.http2.send("GET", base + "/nope")
        #expect(error.status == 404 && error.errorCode == "not_found")

        let hostPort = String(base.dropFirst("https://".count))
        let request = Data("GET /health HTTP/1.1\r\nHost: \(hostPort)\r\nConnection: close\r\n\r\n".utf8)
        let http1 = try await openssl.run(["s_client", "-alpn", "http/1.1", "-connect", hostPort, "-quiet"], input: request, timeout: .seconds(30)) {
            String(decoding: $0, as: UTF8.self).contains("\"status\":\"ok\"")
        }
        let text = String(decoding: http1.stdout, as: UTF8.self)
        #expect(text.hasPrefix("HTTP/1.1 200"), "\(text.prefix(300)) \(http1.stderr.suffix(300))")
        #expect(text.contains(#""nodeID":"order""#))
        await node.stop()
    }

    @Test("the dashboard shows live data in headless Chromium", .enabled(if: ExternalTool.chromium != nil, "chromium is not installed: apt-get install -y chromium"))
    func dashboardShowsLiveData() async throws {
        let cluster = try SagaCluster()
        do {
            let urls = try await HTTPAPIProcessTests.startCluster(cluster)
            let order = try #require(urls["order"])
            var placed: [String] = []
            for _ in 0..<3 {
                let reply = try await HTTPTestClient.http1.send("POST", order + "/orders", json: #"{"customerID":"linus","sku":"widget","quantity":1}"#)
                placed.append(try #require(reply.object["orderID"] as? String))
            }
            #expect(await eventually(timeout: processPatience, every: processPoll, "the orders settle") { await cluster.settled(placed) })
            let chromium = try #require(ExternalTool.chromium)
            let profile = try TroupeExecutable.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: profile) }
            // The page closes its event stream after 3 snapshots (?stopAfter=3), so the
            // network goes idle and the virtual-time budget can run out: then the DOM is dumped.
            let result = try await chromium.run([
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--user-data-dir=\(profile)",
                "--virtual-time-budget=15000", "--dump-dom", "\(urls["inventory"]!)/?stopAfter=3&order=\(placed[0])",
            ], timeout: .seconds(120))
            let dom = String(decoding: result.stdout, as: UTF8.self)
            #expect(result.status == 0, "\(result.stderr.suffix(500))")
            let snapshots = try #require(Self.capture(#"data-snapshots="(\d+)""#, in: dom).flatMap { Int($0) }, "no data-snapshots in \(dom.prefix(400))")
            #expect(snapshots >= 3)
            let handled = try #require(Self.capture(#"id="events-handled">(\d+)<"#, in: dom).flatMap { Int($0) })
            #expect(handled > 0, "the page shows no handled events")
            for node in ["order", "inventory", "payment", "notification"] { #expect(dom.contains("id=\"node-\(node)\""), "no row for \(node)") }
            #expect(dom.contains("data-order=\"\(placed[0])\""))
            #expect(dom.contains("id=\"sequence-svg\""), "the timeline of the first order was not drawn")
            #expect(dom.contains(">OrderPlaced<") && dom.contains(">CustomerNotified<"))
        } catch {
            await cluster.stopAll()
            throw error
        }
        await cluster.stopAll()
    }

    static func capture(_ pattern: String, in text: String) -> String? {
        guard let regex = try? NSRegularExpression(pattern: pattern),
              let match = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)),
              let range = Range(match.range(at: 1), in: text) else { return nil }
        return String(text[range])
    }

    @Test("--log-format json writes one JSON object per line with node, event, correlation and causation ids")
    func jsonLogLines() async throws {
        let node = try ChildProcess(["node", "--service", "order", "--listen", "127.0.0.1:0", "--http", "127.0.0.1:0", "--log-format", "json", "--log-level", "debug"])
        _ = await node.waitUntilReady()
        let base = try #require(HTTPAPIProcessTests.httpURL(of: node), "\(node.stderr.suffix(500))")
        let placed = try await HTTPTestClient.http1.send("POST", base + "/orders", json: #"{"customerID":"ada","sku":"widget","quantity":1}"#)
        let correlationID = try #require(placed.object["correlationID"] as? String)
        var handled: [String: Any] = [:]
        #expect(await eventually(timeout: processPatience, every: processPoll, "a JSON line about handling the order") {
            for line in node.stderr.split(separator: "\n") {
                guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { continue }
                if object["message"] as? String == "handled", object["correlation-id"] as? String == correlationID {
                    handled = object
                    return true
                }
            }
            return false
        })
        // Every line the running node wrote is a JSON object. (Taken before the stop: SwiftNIO
        // itself may print a plain-text warning while the process shuts down.)
        let lines = node.stderr.split(separator: "\n").filter { !$0.isEmpty }
        await node.stop()
        #expect(handled["node"] as? String == "order")
        #expect(handled["event-id"] as? String == correlationID, "an event published from outside is its own correlation")
        #expect(handled["level"] as? String == "debug")
        #expect(handled["ts"] != nil)
        #expect(!lines.isEmpty)
        for line in lines {
            #expect((try? JSONSerialization.jsonObject(with: Data(line.utf8))) is [String: Any], "not a JSON line: \(line.prefix(200))")
        }
    }

    @Test("troupe demo --via http places every order through POST /orders")
    func demoViaHTTP() async throws {
        let result = try await TroupeExecutable.run(["demo", "--orders", "30", "--rate", "200", "--http-base-port", "0", "--via", "http", "--json"], timeout: .seconds(240))
        #expect(result.status == 0, "\(result.stderr.suffix(1500))")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(report["passed"] as? Bool == true)
        #expect(report["orders"] as? Int == 30)
        #expect(report["pending"] as? Int == 0)
        #expect(result.stderr.contains("dashboard at http://127.0.0.1:"))
    }
}
