import Foundation
import Testing
import Troupe
import TroupeWire

/// Conformance: keyed state records are upserted and deleted one by one, atomically with the rest.
@Suite("NodeStore keyed state records")
struct NodeStoreStateRecordTests {
    @Test(arguments: StoreKind.allCases)
    func recordsAreUpsertedAndDeletedIndividually(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            try await store.apply(batch { $0.stateRecords = ["order/1": Data("a".utf8), "order/2": Data("b".utf8)] })
            try await store.apply(batch { $0.stateRecords = ["order/2": Data("B".utf8), "order/3": Data("c".utf8)] })
            try await store.apply(batch { let removal: [String: Data?] = ["order/1": nil]; $0.stateRecords = removal })
            let snapshot = try await store.loadSnapshot(nowMicros: 0)
            #expect(snapshot.stateRecords == ["order/2": Data("B".utf8), "order/3": Data("c".utf8)])
            #expect(snapshot.state == nil)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aRefusedBatchWritesNoStateRecord(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let first = envelope(1)
            try await store.apply(batch { $0.handled = [handled(first)] })
            await #expect(throws: StoreError.self) {
                try await store.apply(batch {
                    $0.handled = [handled(first)]
                    $0.stateRecords = ["order/1": Data("x".utf8)]
                })
            }
            #expect(try await store.loadSnapshot(nowMicros: 0).stateRecords.isEmpty)
        }
    }
}

@Suite("StateTable")
struct StateTableTests {
    @Test func onlyChangedKeysAreTakenAndTakingClearsThem() throws {
        var table: StateTable<Int> = ["a": 1, "b": 2]
        #expect(try table.takeChanges(prefix: "t/").isEmpty, "what a table starts with is not a change")
        table["a"] = 10
        table["c", default: 0] += 3
        table["b"] = nil
        let changes = try table.takeChanges(prefix: "t/")
        #expect(changes.count == 3)
        #expect(changes["t/a"] == .some(Data("10".utf8)) && changes["t/c"] == .some(Data("3".utf8)))
        #expect(changes["t/b"] == .some(nil))
        #expect(try table.takeChanges(prefix: "t/").isEmpty)

        var loaded = StateTable<Int>()
        try loaded.load(prefix: "t/", from: ["t/a": Data("10".utf8), "t/c": Data("3".utf8), "other/x": Data("9".utf8)])
        #expect(loaded == table)
        #expect(String(decoding: try JSONEncoder().encode(loaded), as: UTF8.self).contains("\"a\":10"), "encodes as a plain dictionary")
    }
}
