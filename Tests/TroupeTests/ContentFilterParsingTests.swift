import Testing
import Troupe

/// An invalid filter and the error it must raise.
struct InvalidFilterCase: CustomTestStringConvertible, Sendable {
    var filter: String
    var code: FilterError.Code
    var path: String
    var testDescription: String { "\(filter) → \(code) at \(path)" }
}

private func invalid(_ filter: String, _ code: FilterError.Code, _ path: String) -> InvalidFilterCase {
    InvalidFilterCase(filter: filter, code: code, path: path)
}

let invalidFilters: [InvalidFilterCase] = [
    invalid(#"{"body":"#, .invalidJSON, ""),
    invalid(#"{"body":{"a":[1]}} x"#, .invalidJSON, ""),
    invalid(#"[1]"#, .notAnObject, ""),
    invalid(#""text""#, .notAnObject, ""),
    invalid(#"{"body":[1]}"#, .notAnObject, "body"),
    invalid(#"{"headers":"x"}"#, .notAnObject, "headers"),
    invalid(#"{"source":["a"]}"#, .unknownField, "source"),
    invalid(#"{"body":{}}"#, .emptyPattern, "body"),
    invalid(#"{"body":{"customer":{}}}"#, .emptyPattern, "body.customer"),
    invalid(#"{"body":{"status":"paid"}}"#, .leafNotArray, "body.status"),
    invalid(#"{"body":{"a":{"b":5}}}"#, .leafNotArray, "body.a.b"),
    invalid(#"{"body":{"status":[]}}"#, .emptyAlternatives, "body.status"),
    invalid(#"{"body":{"status":[["paid"]]}}"#, .invalidAlternative, "body.status[0]"),
    invalid(#"{"body":{"status":[{"prefix":"a","exists":true}]}}"#, .invalidAlternative, "body.status[0]"),
    invalid(#"{"body":{"status":["x",{"suffix":"a"}]}}"#, .unknownOperator, "body.status[1]"),
    invalid(#"{"body":{"sku":[{"prefix":5}]}}"#, .invalidPrefix, "body.sku[0]"),
    invalid(#"{"body":{"amount":[{"numeric":[">"]}]}}"#, .invalidNumeric, "body.amount[0]"),
    invalid(#"{"body":{"amount":[{"numeric":["=>",5]}]}}"#, .invalidNumeric, "body.amount[0]"),
    invalid(#"{"body":{"amount":[{"numeric":[">","5"]}]}}"#, .invalidNumeric, "body.amount[0]"),
    invalid(#"{"body":{"amount":[{"numeric":[5,">"]}]}}"#, .invalidNumeric, "body.amount[0]"),
    invalid(#"{"body":{"amount":[{"numeric":[">",0,"<"]}]}}"#, .invalidNumeric, "body.amount[0]"),
    invalid(#"{"body":{"amount":[{"numeric":">"}]}}"#, .invalidNumeric, "body.amount[0]"),
    invalid(#"{"body":{"amount":[{"numeric":[">",1e999]}]}}"#, .invalidNumeric, "body.amount[0]"),
    invalid(#"{"body":{"s":[{"anything-but":[]}]}}"#, .invalidAnythingBut, "body.s[0]"),
    invalid(#"{"body":{"s":[{"anything-but":[["a"]]}]}}"#, .invalidAnythingBut, "body.s[0]"),
    invalid(#"{"body":{"s":[{"anything-but":{"suffix":"a"}}]}}"#, .invalidAnythingBut, "body.s[0]"),
    invalid(#"{"body":{"s":[{"anything-but":{"prefix":1}}]}}"#, .invalidAnythingBut, "body.s[0]"),
    invalid(#"{"body":{"s":[{"exists":"yes"}]}}"#, .invalidExists, "body.s[0]"),
    invalid(#"{"headers":{"tenant":{"id":["a"]}}}"#, .nestingNotAllowed, "headers.tenant"),
    invalid(#"{"headers":{"tenant":[]}}"#, .emptyAlternatives, "headers.tenant"),
    invalid(String(repeating: #"{"a":"#, count: 20) + "1" + String(repeating: "}", count: 20), .tooComplex, ""),
]

@Suite("Content filter parsing")
struct ContentFilterParsingTests {
    @Test(arguments: invalidFilters)
    func rejectsInvalidPattern(_ testCase: InvalidFilterCase) {
        do {
            let filter = try ContentFilter(json: testCase.filter)
            Issue.record("accepted \(filter)")
        } catch {
            #expect(error.code == testCase.code)
            #expect(error.path == testCase.path)
        }
    }

    @Test func errorDescriptionNamesThePath() {
        #expect(throws: FilterError(code: .invalidNumeric, path: "body.amount[0]", detail: "numeric needs an operator and a number")) {
            try ContentFilter(json: #"{"body":{"amount":[{"numeric":[">","x"]}]}}"#)
        }
        let error = FilterError(code: .invalidNumeric, path: "body.amount[0]", detail: "numeric needs an operator and a number")
        #expect(error.description == "body.amount[0]: numeric needs an operator and a number")
    }

    @Test func oversizedFilterIsRefused() {
        let huge = #"{"body":{"a":[""# + String(repeating: "x", count: ContentFilter.maximumTextLength) + #""]}}"#
        #expect(throws: FilterError.self) { try ContentFilter(json: huge) }
    }
}
