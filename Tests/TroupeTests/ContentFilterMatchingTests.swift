import NIOCore
import Testing
import Troupe
import TroupeWire

/// One filter, one event body, the expected verdict.
struct FilterCase: CustomTestStringConvertible, Sendable {
    var filter: String
    var body: String
    var expected: Bool
    var testDescription: String { "\(filter) on \(body) → \(expected)" }
}

private func filterCase(_ filter: String, _ body: String, _ expected: Bool) -> FilterCase {
    FilterCase(filter: filter, body: body, expected: expected)
}

let operatorCases: [FilterCase] = [
    // exact values
    filterCase(#"{"body":{"status":["paid"]}}"#, #"{"status":"paid"}"#, true),
    filterCase(#"{"body":{"status":["paid"]}}"#, #"{"status":"open"}"#, false),
    filterCase(#"{"body":{"status":["paid"]}}"#, #"{"other":"paid"}"#, false),
    filterCase(#"{"body":{"qty":[3]}}"#, #"{"qty":3.0}"#, true),
    filterCase(#"{"body":{"qty":[3]}}"#, #"{"qty":"3"}"#, false),
    filterCase(#"{"body":{"vip":[true]}}"#, #"{"vip":true}"#, true),
    filterCase(#"{"body":{"vip":[true]}}"#, #"{"vip":false}"#, false),
    filterCase(#"{"body":{"note":[null]}}"#, #"{"note":null}"#, true),
    filterCase(#"{"body":{"note":[null]}}"#, #"{}"#, false),
    filterCase(#"{"body":{"note":[null]}}"#, #"{"note":"x"}"#, false),
    // prefix
    filterCase(#"{"body":{"sku":[{"prefix":"AB-"}]}}"#, #"{"sku":"AB-12"}"#, true),
    filterCase(#"{"body":{"sku":[{"prefix":"AB-"}]}}"#, #"{"sku":"XAB-12"}"#, false),
    filterCase(#"{"body":{"sku":[{"prefix":"1"}]}}"#, #"{"sku":12}"#, false),
    // numeric
    filterCase(#"{"body":{"amount":[{"numeric":[">",0,"<=",100]}]}}"#, #"{"amount":100}"#, true),
    filterCase(#"{"body":{"amount":[{"numeric":[">",0,"<=",100]}]}}"#, #"{"amount":0}"#, false),
    filterCase(#"{"body":{"amount":[{"numeric":[">",0,"<=",100]}]}}"#, #"{"amount":100.5}"#, false),
    filterCase(#"{"body":{"amount":[{"numeric":[">=",10]}]}}"#, #"{"amount":10}"#, true),
    filterCase(#"{"body":{"amount":[{"numeric":["<",10]}]}}"#, #"{"amount":10}"#, false),
    filterCase(#"{"body":{"amount":[{"numeric":["=",1e2]}]}}"#, #"{"amount":100}"#, true),
    filterCase(#"{"body":{"amount":[{"numeric":["!=",5]}]}}"#, #"{"amount":5}"#, false),
    filterCase(#"{"body":{"amount":[{"numeric":["!=",5]}]}}"#, #"{"amount":-5.5}"#, true),
    filterCase(#"{"body":{"amount":[{"numeric":[">",0]}]}}"#, #"{"amount":"7"}"#, false),
    // anything-but
    filterCase(#"{"body":{"state":[{"anything-but":"void"}]}}"#, #"{"state":"paid"}"#, true),
    filterCase(#"{"body":{"state":[{"anything-but":"void"}]}}"#, #"{"state":"void"}"#, false),
    filterCase(#"{"body":{"state":[{"anything-but":"void"}]}}"#, #"{}"#, false),
    filterCase(#"{"body":{"state":[{"anything-but":["void","test"]}]}}"#, #"{"state":"test"}"#, false),
    filterCase(#"{"body":{"state":[{"anything-but":["void","test"]}]}}"#, #"{"state":"live"}"#, true),
    filterCase(#"{"body":{"code":[{"anything-but":[0, 1]}]}}"#, #"{"code":1.0}"#, false),
    filterCase(#"{"body":{"env":[{"anything-but":{"prefix":"test-"}}]}}"#, #"{"env":"test-eu"}"#, false),
    filterCase(#"{"body":{"env":[{"anything-but":{"prefix":"test-"}}]}}"#, #"{"env":"prod-eu"}"#, true),
    // exists
    filterCase(#"{"body":{"coupon":[{"exists":true}]}}"#, #"{"coupon":"X"}"#, true),
    filterCase(#"{"body":{"coupon":[{"exists":true}]}}"#, #"{"coupon":null}"#, true),
    filterCase(#"{"body":{"coupon":[{"exists":true}]}}"#, #"{}"#, false),
    filterCase(#"{"body":{"coupon":[{"exists":false}]}}"#, #"{}"#, true),
    filterCase(#"{"body":{"coupon":[{"exists":false}]}}"#, #"{"coupon":"X"}"#, false),
    filterCase(#"{"body":{"a":{"b":[{"exists":false}]}}}"#, #"{"x":1}"#, true),
    // nested objects
    filterCase(#"{"body":{"customer":{"tier":["gold"]}}}"#, #"{"customer":{"tier":"gold","id":1}}"#, true),
    filterCase(#"{"body":{"customer":{"tier":["gold"]}}}"#, #"{"customer":{"tier":"iron"}}"#, false),
    filterCase(#"{"body":{"customer":{"tier":["gold"]}}}"#, #"{"customer":"gold"}"#, false),
    filterCase(#"{"body":{"a":{"b":{"c":[1]}}}}"#, #"{"a":{"b":{"c":1}}}"#, true),
    // arrays in the event: any element
    filterCase(#"{"body":{"tags":["red"]}}"#, #"{"tags":["blue","red"]}"#, true),
    filterCase(#"{"body":{"tags":["red"]}}"#, #"{"tags":["blue","green"]}"#, false),
    filterCase(#"{"body":{"tags":["red"]}}"#, #"{"tags":[]}"#, false),
    filterCase(#"{"body":{"scores":[{"numeric":[">",90]}]}}"#, #"{"scores":[10,95]}"#, true),
    filterCase(#"{"body":{"items":{"sku":["A"]}}}"#, #"{"items":[{"sku":"B"},{"sku":"A"}]}"#, true),
    filterCase(#"{"body":{"items":{"sku":["A"]}}}"#, #"{"items":[{"sku":"B"}]}"#, false),
    // JSON details: escapes and unicode in the event
    filterCase(#"{"body":{"name":["Zoë \"Z\""]}}"#, #"{"name":"Zo\u00eb \"Z\""}"#, true),
    filterCase(#"{"body":{"emoji":[{"prefix":"😀"}]}}"#, #"{"emoji":"\ud83d\ude00!"}"#, true),
]

let logicCases: [FilterCase] = [
    // keys are AND
    filterCase(#"{"body":{"status":["paid"],"amount":[{"numeric":[">",10]}]}}"#, #"{"status":"paid","amount":11}"#, true),
    filterCase(#"{"body":{"status":["paid"],"amount":[{"numeric":[">",10]}]}}"#, #"{"status":"paid","amount":9}"#, false),
    // alternatives are OR, across kinds
    filterCase(#"{"body":{"status":["paid",{"prefix":"ship"}]}}"#, #"{"status":"shipped"}"#, true),
    filterCase(#"{"body":{"status":["paid",{"prefix":"ship"}]}}"#, #"{"status":"open"}"#, false),
    filterCase(#"{"body":{"coupon":["X",{"exists":false}]}}"#, #"{}"#, true),
    // empty filter and the empty object match everything, even a body that is not JSON
    filterCase("", "not json", true),
    filterCase("  \n", #"{"a":1}"#, true),
    filterCase("{}", "not json", true),
    // a body that is not JSON fails every filter that looks into the body
    filterCase(#"{"body":{"a":[{"exists":false}]}}"#, "not json", false),
    filterCase(#"{"body":{"a":[1]}}"#, #"{"a":1} trailing"#, false),
    // a JSON body that is not an object has no fields
    filterCase(#"{"body":{"a":[{"exists":false}]}}"#, "[1,2]", true),
]

@Suite("Content filter matching")
struct ContentFilterMatchingTests {
    @Test(arguments: operatorCases)
    func operators(_ testCase: FilterCase) throws {
        let filter = try ContentFilter(json: testCase.filter)
        #expect(filter.matches(body: Array(testCase.body.utf8), headers: []) == testCase.expected)
        #expect(filter.matches(body: ByteBuffer(string: testCase.body), headers: []) == testCase.expected)
    }

    @Test(arguments: logicCases)
    func logic(_ testCase: FilterCase) throws {
        let filter = try ContentFilter(json: testCase.filter)
        #expect(filter.matches(body: ByteBuffer(string: testCase.body), headers: []) == testCase.expected)
        let input = FilterInput(body: ByteBuffer(string: testCase.body), headers: [])
        #expect(filter.matches(input) == testCase.expected)
    }

    @Test func headers() throws {
        let filter = try ContentFilter(
            json: #"{"headers":{"tenant":["acme"],"priority":[{"numeric":[">=",5]}],"trace":[{"exists":false}]}}"#
        )
        #expect(!filter.inspectsBody)
        func headers(_ pairs: [(String, String)]) -> [Envelope.Header] { pairs.map { Envelope.Header(name: $0, value: $1) } }
        #expect(filter.matches(body: [], headers: headers([("tenant", "acme"), ("priority", "7")])))
        #expect(!filter.matches(body: [], headers: headers([("tenant", "acme"), ("priority", "2")])))
        #expect(!filter.matches(body: [], headers: headers([("tenant", "acme"), ("priority", "high")])))
        #expect(!filter.matches(body: [], headers: headers([("tenant", "other"), ("priority", "9")])))
        #expect(!filter.matches(body: [], headers: headers([("tenant", "acme"), ("priority", "9"), ("trace", "1")])))
        // A repeated header acts as an array of its values.
        #expect(filter.matches(body: [], headers: headers([("tenant", "x"), ("tenant", "acme"), ("priority", "5")])))
    }

    @Test func bodyAndHeadersTogether() throws {
        let filter = try ContentFilter(json: #"{"body":{"status":["paid"]},"headers":{"tenant":["acme"]}}"#)
        var envelope = makeEnvelope(1, body: #"{"status":"paid"}"#, headers: [.init(name: "tenant", value: "acme")])
        #expect(filter.matches(envelope) && filter.matches(FilterInput(envelope)))
        envelope.headers = []
        #expect(!filter.matches(envelope) && !filter.matches(FilterInput(envelope)))
    }

    @Test func matchAllAndIntrospection() throws {
        #expect(ContentFilter.matchAll.matchesEverything)
        #expect(try ContentFilter(json: "").matchesEverything)
        #expect(try ContentFilter(json: "{}").matchesEverything)
        let filter = try ContentFilter(json: #"{"body":{"a":[1]}}"#)
        #expect(filter.inspectsBody && !filter.matchesEverything)
        #expect(filter == (try ContentFilter(json: #"{"body":{"a":[1]}}"#)))
        #expect(!FilterInput(body: ByteBuffer(string: "{"), headers: []).bodyIsJSON)
    }

    @Test func deeplyNestedBodyCountsAsNotJSON() throws {
        let deep = String(repeating: "[", count: 500) + String(repeating: "]", count: 500)
        let filter = try ContentFilter(json: #"{"body":{"a":[{"exists":false}]}}"#)
        #expect(!filter.matches(body: Array(deep.utf8), headers: []))
    }
}
