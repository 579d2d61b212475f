import NIOCore
import Testing
@testable import Troupe

@Suite struct PendingGroupsTests {
    @Test func groupsStayInByteOrderEachOnceWithTheirAttempts() {
        var pending = PendingGroups(groups: ["shipping", "billing", "Audit", "billing", "édition"])
        #expect(pending.entries.map(\.group) == ["Audit", "billing", "shipping", "édition"], "byte order: upper case first, UTF-8 last")
        pending.setAttempts(3, for: "billing")
        pending.setAttempts(9, for: "missing")
        pending.add("billing")  // already owed: keeps its attempts
        pending.add("audit")
        #expect(pending.entries.map(\.group) == ["Audit", "audit", "billing", "shipping", "édition"])
        #expect(pending.entries.map(\.attempts) == [0, 0, 3, 0, 0])
        pending.remove("billing")
        pending.remove("billing")
        pending.remove("nobody")
        #expect(pending.entries.map(\.group) == ["Audit", "audit", "shipping", "édition"])
        #expect(!pending.isEmpty && PendingGroups(groups: []).isEmpty)
    }

    @Test func agreesWithADictionaryModelOnRandomOperations() {
        var random = SystemRandomNumberGenerator()
        for _ in 0 ..< 300 {
            let initial = (0 ..< Int.random(in: 0 ... 5, using: &random)).map { _ in "g\(Int.random(in: 0 ... 9, using: &random))" }
            var pending = PendingGroups(groups: initial)
            var model = Dictionary(initial.map { ($0, 0) }, uniquingKeysWith: { first, _ in first })
            for _ in 0 ..< 30 {
                let group = "g\(Int.random(in: 0 ... 9, using: &random))"
                switch Int.random(in: 0 ... 2, using: &random) {
                case 0:
                    pending.add(group)
                    if model[group] == nil { model[group] = 0 }
                case 1:
                    pending.remove(group)
                    model[group] = nil
                default:
                    let attempts = Int.random(in: 1 ... 20, using: &random)
                    pending.setAttempts(attempts, for: group)
                    if model[group] != nil { model[group] = attempts }
                }
            }
            let expected = model.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }.map { PendingGroups.Entry(group: $0, attempts: model[$0]!) }
            #expect(pending.entries == expected)
        }
    }

    @Test func byteOrderAgreesWithTheUTF8ViewOnRandomStrings() {
        var random = SystemRandomNumberGenerator()
        let alphabet = Array("aAbB-_0é€😀")
        for _ in 0 ..< 2_000 {
            let first = String((0 ..< Int.random(in: 0 ... 6, using: &random)).map { _ in alphabet.randomElement(using: &random)! })
            let second = String((0 ..< Int.random(in: 0 ... 6, using: &random)).map { _ in alphabet.randomElement(using: &random)! })
            #expect(PendingGroups.bytesPrecede(first, second) == first.utf8.lexicographicallyPrecedes(second.utf8), "\(first) < \(second)")
        }
    }

    @Test func theBinaryFormReadsBackAsTheSameGroupsAndAttempts() {
        var pending = PendingGroups(groups: ["shipping", "billing", "édition", ""])
        pending.setAttempts(3, for: "billing")
        pending.setAttempts(Int(UInt32.max) + 5, for: "shipping")
        var buffer = ByteBuffer()
        pending.encode(into: &buffer)
        let decoded = buffer.withUnsafeReadableBytes { PendingGroups(decoding: $0) }
        #expect(decoded?.entries.map(\.group) == ["", "billing", "shipping", "édition"])
        #expect(decoded?.entries.map(\.attempts) == [0, 3, Int(UInt32.max), 0], "attempts beyond UInt32 are kept as its maximum")

        var none = ByteBuffer()
        PendingGroups(groups: []).encode(into: &none)
        #expect(none.readableBytes == 0)
        #expect([UInt8]().withUnsafeBytes { PendingGroups(decoding: $0) }?.isEmpty == true)
    }

    @Test(arguments: [
        ("truncated length", [0, 0, 0] as [UInt8]),
        ("name longer than the bytes", [0, 0, 0, 9, 0x61, 0, 0, 0, 1]),
        ("attempts missing", [0, 0, 0, 1, 0x61, 0, 0]),
        ("not UTF-8", [0, 0, 0, 1, 0xFF, 0, 0, 0, 0]),
        ("out of byte order", [0, 0, 0, 1, 0x62, 0, 0, 0, 0, 0, 0, 0, 1, 0x61, 0, 0, 0, 0]),
        ("repeated", [0, 0, 0, 1, 0x61, 0, 0, 0, 0, 0, 0, 0, 1, 0x61, 0, 0, 0, 0]),
    ])
    func malformedBytesDoNotDecode(_ what: String, _ bytes: [UInt8]) {
        #expect(bytes.withUnsafeBytes { PendingGroups(decoding: $0) } == nil, "\(what)")
    }
}
