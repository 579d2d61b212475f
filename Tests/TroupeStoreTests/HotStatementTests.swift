import Foundation
import GRDB
import NIOCore
import Testing
@testable import TroupeStore
import TroupeWire

/// The hot path's binding: values bound from the writer's arena (or, when they do not fit, with
/// SQLite's own copy) read back exactly, including the empty and the oversized ones.
@Suite("HotStatement")
struct HotStatementTests {
    private struct Row: Equatable {
        var text: String?
        var id: Data?
        var blob: Data?
    }

    private static let insert = "INSERT INTO sample (text, id, blob) VALUES (?, ?, ?)"

    private func makeDatabase() throws -> DatabaseQueue {
        // Before this test process's first SQLite connection, as a store would (see
        // `sqliteMemoryStatisticsAreOffForTheProcess`, which runs in the same process).
        SQLiteProcessSettings.applyOnce()
        let database = try DatabaseQueue()
        try database.write { db in
            try db.execute(sql: "CREATE TABLE sample (seq INTEGER PRIMARY KEY, text TEXT, id BLOB, blob BLOB)")
        }
        return database
    }

    private func rows(_ database: DatabaseQueue) throws -> [Row] {
        try database.read { db in
            try GRDB.Row.fetchAll(db, sql: "SELECT text, id, blob FROM sample ORDER BY seq").map { row in
                Row(text: row["text"], id: row["id"], blob: row["blob"])
            }
        }
    }

    private func idBytes(_ id: EventID) -> Data {
        var data = Data()
        withUnsafeBytes(of: id.high.bigEndian) { data.append(contentsOf: $0) }
        withUnsafeBytes(of: id.low.bigEndian) { data.append(contentsOf: $0) }
        return data
    }

    @Test func valuesReadBackExactlyWhetherTheyFitTheArenaOrNot() throws {
        let database = try makeDatabase()
        let big = Data((0..<(ParameterArena.capacity + 5_000)).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        let bigText = String(repeating: "ü", count: ParameterArena.capacity)  // 2 bytes each
        var expected: [Row] = []
        try database.write { db in
            let arena = ParameterArena()
            let statement = try HotStatement(Self.insert, in: db, arena: arena)
            // Far more rows than one arena holds at once: each execute frees it for the next row.
            for index in 0..<200 {
                let text: String
                let blob: Data
                switch index % 5 {
                case 0: (text, blob) = ("", Data())
                case 1: (text, blob) = (bigText, big)
                case 2: (text, blob) = ("short", Data([1, 2, 3]))
                case 3: (text, blob) = (String(repeating: "x", count: 700 + index), Data(repeating: UInt8(index), count: 900))
                default: (text, blob) = ("naïve \(index) 🎭", Data(repeating: 0xAB, count: 15))
                }
                let id: EventID? = index % 7 == 0 ? nil : EventID(high: UInt64(index) << 40 | 0xDEAD, low: ~UInt64(index))
                try statement.bind(text, at: 1)
                try statement.bind(id, at: 2)
                var buffer = ByteBuffer()
                buffer.writeBytes(blob)
                try statement.bind(buffer, at: 3)
                try statement.execute()
                expected.append(Row(text: text, id: id.map(idBytes), blob: blob))
            }
        }
        let stored = try rows(database)
        #expect(stored.count == expected.count)
        for (got, want) in zip(stored, expected) where got != want {
            let gotText = got.text.map { String($0.prefix(20)) } ?? "nil"
            let wantText = want.text.map { String($0.prefix(20)) } ?? "nil"
            let message = "row differs: text \(gotText) vs \(wantText), id \(got.id?.count ?? -1) vs \(want.id?.count ?? -1), "
                + "blob \(got.blob?.count ?? -1) vs \(want.blob?.count ?? -1)"
            Issue.record(Comment(rawValue: message))
        }
        // Empty text and blob are values, not NULL.
        #expect(stored.first?.text == "" && stored.first?.blob == Data())
    }

    @Test func statementsTakeTurnsOnOneArena() throws {
        let database = try makeDatabase()
        try database.write { db in
            try db.execute(sql: "CREATE TABLE other (name TEXT NOT NULL)")
            let arena = ParameterArena()
            let first = try HotStatement(Self.insert, in: db, arena: arena)
            let second = try HotStatement("INSERT INTO other (name) VALUES (?)", in: db, arena: arena)
            for index in 0..<100 {
                try first.bind("first \(index)", at: 1)
                try first.bind(nil, at: 2)
                try first.bind(ByteBuffer(string: "blob \(index)"), at: 3)
                try first.execute()
                try second.bind("second \(index)", at: 1)
                try second.execute()
            }
            #expect(try String.fetchAll(db, sql: "SELECT text FROM sample ORDER BY seq") == (0..<100).map { "first \($0)" })
            #expect(try String.fetchAll(db, sql: "SELECT name FROM other ORDER BY rowid") == (0..<100).map { "second \($0)" })
        }
    }

    @Test func aBindingThatThrewLeavesNothingBoundForTheNextUse() throws {
        let database = try makeDatabase()
        try database.write { db in
            do {
                let arena = ParameterArena()
                let statement = try HotStatement(Self.insert, in: db, arena: arena)
                try statement.bind("stale", at: 1)
                #expect(throws: DatabaseError.self) { try statement.bind("out of range", at: 9) }
            }
            // The first arena is gone; its binding must not be read.
            let statement = try HotStatement(Self.insert, in: db, arena: ParameterArena())
            try statement.bind(ByteBuffer(string: "fresh"), at: 3)
            try statement.execute()
        }
        #expect(try rows(database) == [Row(text: nil, id: nil, blob: Data("fresh".utf8))])
    }

    @Test func theArenaHandsOutAlignedRoomUntilItIsFull() {
        let arena = ParameterArena()
        let first = arena.reserve(3)
        let second = arena.reserve(16)
        #expect(first != nil && second != nil)
        if let first, let second {
            #expect(second - first == 8)
            #expect(Int(bitPattern: second) % 8 == 0)
        }
        #expect(arena.reserve(ParameterArena.capacity) == nil)
        let bytes: [UInt8] = [9, 8, 7]
        let copy = bytes.withUnsafeBytes { arena.copy($0) }
        #expect(copy.map { Array(UnsafeRawBufferPointer(start: $0, count: 3)) } == bytes)
        arena.reset()
        #expect(arena.reserve(ParameterArena.capacity) == first)
        #expect(arena.reserve(1) == nil)
    }
}
