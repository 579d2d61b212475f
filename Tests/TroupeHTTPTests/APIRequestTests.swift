import Foundation
import Testing
@testable import TroupeHTTP

@Suite("API requests and errors")
struct APIRequestTests {
    @Test func targetsSplitIntoPathAndDecodedQuery() {
        let (path, query) = APIRequest.splitTarget("/trace/ABC?scope=mesh&x=a%20b&flag&y=1+2")
        #expect(path == "/trace/ABC")
        #expect(query == ["scope": "mesh", "x": "a b", "flag": "", "y": "1 2"])
        #expect(APIRequest.splitTarget("/health").query.isEmpty)
    }

    struct Body: Decodable { var name: String; var count: Int }

    @Test func malformedBodiesBecome400WithTheReason() {
        for (body, fragment) in [("{bad", "not valid JSON"), (#"{"name":"x"}"#, "missing field 'count'"), (#"{"name":"x","count":"three"}"#, "'count' should be Int"), ("", "null")] {
            let request = APIRequest(method: "POST", path: "/x", body: Data(body.utf8))
            do {
                _ = try request.decode(Body.self)
                Issue.record("\(body) decoded")
            } catch {
                #expect(error.status == 400)
                #expect(error.code == "malformed_json")
                #expect(error.message.contains(fragment), "\(error.message)")
            }
        }
    }

    @Test func errorsRenderAsOneJSONObject() throws {
        let error = APIError.methodNotAllowed("PUT", "/faults", allowed: ["POST", "DELETE"])
        let object = try #require(try JSONSerialization.jsonObject(with: error.body) as? [String: [String: Any]])
        #expect(object["error"]?["code"] as? String == "method_not_allowed")
        #expect(object["error"]?["status"] as? Int == 405)
        #expect(error.headers["Allow"] == "POST, DELETE")
        let response = APIResponse.error(.payloadTooLarge(limit: 10))
        #expect(response.status == 413)
        #expect(response.headers["Content-Type"] == "application/json")
    }

    @Test func serverSentEventsPutEachLineInItsOwnDataField() {
        let encoded = String(decoding: ServerSentEvent.encode(event: "snapshot", data: Data("{\"a\":1}\n{\"b\":2}".utf8)), as: UTF8.self)
        #expect(encoded == "event: snapshot\ndata: {\"a\":1}\ndata: {\"b\":2}\n\n")
    }
}
