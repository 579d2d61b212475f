import Foundation
import GRDB
import NIOCore
import Troupe

/// The versioned schema of a node's database. Migrations are append-only: never edit a
/// registered one, register a new version.
///
/// Event ids are 16-byte big-endian BLOBs (see ``RecordCoding``); envelopes are CRC-checked
/// EVENT frames. `"group"` is quoted everywhere because GROUP is an SQL keyword.
enum StoreSchema {
    /// The migrator that brings any older database to the current schema; version 6 moves the
    /// archive's records into `archiveLog`.
    static func migrator(archiveLog: ArchiveLog) -> DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: version1)
        }
        migrator.registerMigration("v2: keyed state records") { db in
            try db.execute(sql: "CREATE TABLE state_record (key TEXT NOT NULL PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID")
        }
        migrator.registerMigration("v3: fewer b-trees per event") { db in
            try db.execute(sql: version3)
        }
        migrator.registerMigration("v4: pending groups in the outbox row") { db in
            try migrateToVersion4(db)
        }
        migrator.registerMigration("v5: outbox envelopes kept by the archive") { db in
            try db.execute(sql: version5)
        }
        migrator.registerMigration("v6: archive records in a log beside the database") { db in
            try migrateToVersion6(db, archiveLog: archiveLog)
        }
        migrator.registerMigration("v7: outbox rows name their record in the archive log") { db in
            try db.execute(sql: version7)
        }
        migrator.registerMigration("v8: archive entries in blocks") { db in
            try migrateToVersion8(db)
        }
        migrator.registerMigration("v9: idempotency keys that are event ids kept as 16 bytes") { db in
            try migrateToVersion9(db)
        }
        return migrator
    }

    /// Version 9: an idempotency record keeps a key that is an event id (every default key) as
    /// the id's 16 bytes instead of its 26-character text (``RecordCoding/databaseValue(of:)``),
    /// and drops `event_id` (the handled event's id, written but never read). The column is
    /// declared `BLOB` so SQLite stores each key as given, text or blob.
    ///
    /// Why: a subscriber writes one record and one expiry-index entry per handled event. After
    /// 150 000 handled events (`dbstat`) the records took 34 bytes of pages per event instead of
    /// 65 and the index 34 instead of 46, so fewer pages reach the WAL and get checkpointed, and
    /// the writer no longer spells each id out. CPU per event moved within the noise
    /// (Benchmarks/README.md, twenty-first round).
    static func migrateToVersion9(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE idempotency_v9 (
                key BLOB NOT NULL PRIMARY KEY,
                expires_at INTEGER NOT NULL
            ) WITHOUT ROWID;
            """)
        let insert = try db.makeStatement(sql: "INSERT INTO idempotency_v9 (key, expires_at) VALUES (?, ?)")
        let rows = try Row.fetchCursor(db, sql: "SELECT key, expires_at FROM idempotency")
        while let row = try rows.next() {
            let key = IdempotencyKey(try row.decode(String.self, atIndex: 0))
            try insert.execute(arguments: [RecordCoding.databaseValue(of: key), row[1]])
        }
        try db.execute(sql: """
            DROP TABLE idempotency;
            ALTER TABLE idempotency_v9 RENAME TO idempotency;
            CREATE INDEX idempotency_by_expiry ON idempotency(expires_at);
            """)
    }

    /// Version 8: the archive's entries move from one row each (`archive`: seq, correlation id,
    /// log position, and the correlation index) into runs of consecutive entries, one row per
    /// ``ArchiveIndexBlock`` (`archive_block`, keyed by the run's first seq); `archive_horizon`
    /// holds the oldest entry retention keeps, so retention moves one number and drops whole
    /// blocks instead of deleting a row and an index entry per event.
    ///
    /// Why: a row per entry was two b-tree insertions per archived event on both the publishing
    /// and the handling node, and two deletions when retention took it. A probe build that wrote
    /// no entry rows at all (not kept; `troupe bench --mode durable --msgs 150000`, 3 alternating
    /// rounds) used 18.8 µs of CPU per event against 21.3 (task-clock of both nodes). What it
    /// costs: a timeline scans every block instead of seeking an index (Benchmarks/README.md,
    /// twenty-first round).
    static func migrateToVersion8(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE archive_block (
                first_seq INTEGER PRIMARY KEY,
                entries BLOB NOT NULL CHECK (length(entries) > 0 AND length(entries) % 24 = 0)
            );
            CREATE TABLE archive_horizon (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                first_kept_seq INTEGER NOT NULL
            );
            """)
        let insert = try db.makeStatement(sql: "INSERT INTO archive_block (first_seq, entries) VALUES (?, ?)")
        var block: ArchiveIndexBlock?
        var oldest: Int64?
        var newest: Int64 = 0
        let rows = try Row.fetchCursor(db, sql: "SELECT seq, correlation_id, position FROM archive ORDER BY seq")
        while let row = try rows.next() {
            let seq: Int64 = row[0]
            let correlationID = try RecordCoding.eventID(from: row[1], what: "archive row \(seq)")
            if let current = block, current.isFull || current.nextSeq != seq {
                try insert.execute(arguments: [current.firstSeq, current.blob])
                block = nil
            }
            if block == nil { block = ArchiveIndexBlock(firstSeq: seq) }
            block!.append(correlationID: correlationID, position: row[2])
            oldest = oldest ?? seq
            newest = seq
        }
        if let block { try insert.execute(arguments: [block.firstSeq, block.blob]) }
        try db.execute(sql: "INSERT INTO archive_horizon (id, first_kept_seq) VALUES (1, ?)", arguments: [oldest ?? newest + 1])
        try db.execute(sql: """
            DROP INDEX archive_by_correlation;
            DROP TABLE archive;
            """)
    }

    /// Version 7: an outbox row names its event's record in the ``ArchiveLog`` by position
    /// (`archive_position`) instead of its archive entry by seq, and `outbox_by_archive_seq` is
    /// dropped. Retention then deletes archive entries without looking at the outbox; only when
    /// it is about to remove a log segment do the owed events whose records lie in it take their
    /// envelope into their row (`BatchWriter.trim()`), found by a scan of the outbox, which holds
    /// only events in flight — once per segment (8 MiB of records) instead of an index entry
    /// inserted and deleted with every published event.
    ///
    /// Measured with a probe build not kept (the index dropped at open, `troupe bench --mode
    /// durable --msgs 150000`, 4 alternating rounds): 100.0k → 107.0k events/s (Benchmarks/README.md,
    /// nineteenth round). An outbox row whose entry is missing cannot name a record: the migration
    /// leaves it without either, which the `CHECK` refuses, so such a database (corrupt since
    /// version 5) fails to migrate instead of losing the event silently.
    static let version7 = """
        CREATE TABLE outbox_v7 (
            event_id BLOB NOT NULL PRIMARY KEY,
            published_at INTEGER NOT NULL,
            parked INTEGER NOT NULL,
            pending BLOB NOT NULL,
            archive_position INTEGER,
            envelope BLOB,
            CHECK ((archive_position IS NULL) <> (envelope IS NULL))
        ) WITHOUT ROWID;
        INSERT INTO outbox_v7 (event_id, published_at, parked, pending, archive_position, envelope)
            SELECT o.event_id, o.published_at, o.parked, o.pending, a.position, o.envelope
            FROM outbox o LEFT JOIN archive a ON a.seq = o.archive_seq;
        DROP TABLE outbox;
        ALTER TABLE outbox_v7 RENAME TO outbox;
        """

    /// Version 6: an archive entry's record (envelope, direction, node, group, time) moves out of
    /// the database into the ``ArchiveLog``; the `archive` table keeps the entry's seq, its
    /// correlation id (indexed, for timelines) and its record's `position` in the log. Outbox
    /// rows still name their event's entry by seq (``version5``).
    ///
    /// Why: ``ArchiveLog`` (what the archive's rows cost in pages, and what a log costs instead).
    static func migrateToVersion6(_ db: Database, archiveLog: ArchiveLog) throws {
        try db.execute(sql: """
            CREATE TABLE archive_v6 (
                seq INTEGER PRIMARY KEY,
                correlation_id BLOB NOT NULL,
                position INTEGER NOT NULL
            );
            """)
        // Rows go in as their records are gathered: the records reach the log (below) before
        // the migration's transaction commits the rows that name them.
        let insert = try db.makeStatement(sql: "INSERT INTO archive_v6 (seq, correlation_id, position) VALUES (?, ?, ?)")
        var written = try archiveLog.endOfSegments()
        var records = ByteBuffer()
        let rows = try Row.fetchCursor(db, sql: #"SELECT seq, direction, node_id, "group", at, envelope, correlation_id FROM archive ORDER BY seq"#)
        while let row = try rows.next() {
            let seq: Int64 = row[0]
            let rawDirection: String = row[1]
            guard let direction = ArchivedEvent.Direction(rawValue: rawDirection) else {
                throw StoreError(code: .corruptRecord, message: "archive row \(seq): unknown direction '\(rawDirection)'")
            }
            let envelope = try RecordCoding.envelope(from: row[5] as Data?, what: "archive row \(seq)")
            let position = written + Int64(records.readableBytes)
            _ = try ArchiveRecord.append(seq: seq, envelope: envelope, direction: direction, nodeID: row[2], group: row[3],
                                         atMicros: row[4], to: &records)
            try insert.execute(arguments: [seq, row[6] as Data, position])
            if records.readableBytes >= 4 << 20 {
                try archiveLog.write(records, at: written)
                written += Int64(records.readableBytes)
                records.clear()
            }
        }
        try archiveLog.write(records, at: written)
        try archiveLog.sync()
        try db.execute(sql: """
            DROP TABLE archive;
            ALTER TABLE archive_v6 RENAME TO archive;
            CREATE INDEX archive_by_correlation ON archive(correlation_id);
            """)
    }

    /// Version 5: a published event's envelope is written once, in its archive row; its outbox
    /// row names that row (`archive_seq`) instead of holding a second copy. The outbox row
    /// takes the envelope into `envelope` (and clears `archive_seq`) only when archive
    /// retention is about to delete the archive row while the event is still owed (see
    /// `BatchWriter.trim(_:)`), through the partial index `outbox_by_archive_seq`. Exactly one of
    /// the two is set (the `CHECK`). `correlation_id`, written but never read, is dropped.
    ///
    /// Why: an outbox row is inserted at publication and deleted at completion, typically a
    /// few milliseconds and a few commits apart. With ~400-byte envelopes a page held about seven
    /// rows, so each commit's deletions left pages under-full and SQLite rebalanced them with
    /// their siblings: a completion commit of ~64 events rewrote ~30 outbox pages into the WAL,
    /// and the publisher wrote ~0.8 pages (3.4 KB) per event in all (WAL frames read back
    /// from a run of `troupe bench --mode durable`, Benchmarks/README.md, fourteenth round).
    /// An outbox row is now ~50 bytes (~70 to a page). Rows migrated from version 4 keep their
    /// envelope in the row.
    static let version5 = """
        CREATE TABLE outbox_v5 (
            event_id BLOB NOT NULL PRIMARY KEY,
            published_at INTEGER NOT NULL,
            parked INTEGER NOT NULL,
            pending BLOB NOT NULL,
            archive_seq INTEGER,
            envelope BLOB,
            CHECK ((archive_seq IS NULL) <> (envelope IS NULL))
        ) WITHOUT ROWID;
        INSERT INTO outbox_v5 (event_id, published_at, parked, pending, archive_seq, envelope)
            SELECT event_id, published_at, parked, pending, NULL, envelope FROM outbox;
        DROP TABLE outbox;
        ALTER TABLE outbox_v5 RENAME TO outbox;
        CREATE INDEX outbox_by_archive_seq ON outbox(archive_seq) WHERE archive_seq IS NOT NULL;
        """

    /// Version 4: an outbox event's groups move from `outbox_group` (one row per group, inserted
    /// at publication, deleted at acknowledgement) into the event's own row, as the binary form
    /// of ``PendingGroups`` in `pending`; a group acknowledged or dead-lettered while the event
    /// stays in the outbox gets a small `outbox_released` row instead of a rewrite of the
    /// event's row, and completion deletes both.
    ///
    /// Measured with `troupe bench --mode durable` (Benchmarks/README.md, thirteenth round):
    /// in the outbox, an event for one group is one row inserted and deleted instead of two; for
    /// three groups, six row changes instead of eight. Rewriting `pending` at each
    /// acknowledgement instead (tried first) cost fan-out ~10%: an update rewrites the whole row,
    /// envelope and all.
    static func migrateToVersion4(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE outbox_v4 (
                event_id BLOB NOT NULL PRIMARY KEY,
                published_at INTEGER NOT NULL,
                correlation_id BLOB NOT NULL,
                parked INTEGER NOT NULL,
                pending BLOB NOT NULL,
                envelope BLOB NOT NULL
            ) WITHOUT ROWID;
            INSERT INTO outbox_v4 (event_id, published_at, correlation_id, parked, pending, envelope)
                SELECT event_id, published_at, correlation_id, parked, x'', envelope FROM outbox;
            CREATE TABLE outbox_released (
                event_id BLOB NOT NULL,
                "group" TEXT NOT NULL,
                PRIMARY KEY (event_id, "group")
            ) WITHOUT ROWID;
            """)
        var owed: [Data: PendingGroups] = [:]
        let rows = try Row.fetchCursor(db, sql: #"SELECT event_id, "group", attempts FROM outbox_group"#)
        while let row = try rows.next() {
            let id: Data = row[0]
            let group: String = row[1]
            owed[id, default: PendingGroups(groups: [])].add(group)
            owed[id]!.setAttempts(row[2], for: group)
        }
        var buffer = ByteBuffer()
        for (id, pending) in owed {
            buffer.clear()
            pending.encode(into: &buffer)
            try db.execute(sql: "UPDATE outbox_v4 SET pending = ? WHERE event_id = ?",
                           arguments: [Data(buffer.readableBytesView), id])
        }
        try db.execute(sql: """
            DROP TABLE outbox_group;
            DROP TABLE outbox;
            ALTER TABLE outbox_v4 RENAME TO outbox;
            """)
    }

    /// Version 3: less written per event on the hot path (measured with `troupe bench --mode
    /// durable`: every b-tree an event touches is at least one more page in each commit's WAL).
    ///
    /// - `outbox` becomes `WITHOUT ROWID`: the event id *is* the key, instead of a rowid table
    ///   plus the separate unique index its BLOB primary key needed, and `outbox_by_age` is
    ///   dropped — it served only the snapshot's `ORDER BY published_at`, read once at start on
    ///   an outbox that is small by then, while every publish and completion paid for it.
    /// - `archive.seq` loses `AUTOINCREMENT`, which rewrote `sqlite_sequence` on every insert.
    ///   Archive rows are only ever appended (or, with retention, deleted oldest first), so a
    ///   plain `INTEGER PRIMARY KEY` (max + 1) still gives recording order and never reuses a seq.
    static let version3 = """
        CREATE TABLE outbox_v3 (
            event_id BLOB NOT NULL PRIMARY KEY,
            published_at INTEGER NOT NULL,
            correlation_id BLOB NOT NULL,
            parked INTEGER NOT NULL,
            envelope BLOB NOT NULL
        ) WITHOUT ROWID;
        INSERT INTO outbox_v3 (event_id, published_at, correlation_id, parked, envelope)
            SELECT event_id, published_at, correlation_id, parked, envelope FROM outbox;
        DROP TABLE outbox;
        ALTER TABLE outbox_v3 RENAME TO outbox;

        CREATE TABLE archive_v3 (
            seq INTEGER PRIMARY KEY,
            event_id BLOB NOT NULL,
            correlation_id BLOB NOT NULL,
            causation_id BLOB,
            type TEXT NOT NULL,
            direction TEXT NOT NULL,
            node_id TEXT NOT NULL,
            "group" TEXT NOT NULL,
            at INTEGER NOT NULL,
            envelope BLOB NOT NULL
        );
        INSERT INTO archive_v3 (seq, event_id, correlation_id, causation_id, type, direction, node_id, "group", at, envelope)
            SELECT seq, event_id, correlation_id, causation_id, type, direction, node_id, "group", at, envelope FROM archive;
        DROP TABLE archive;
        ALTER TABLE archive_v3 RENAME TO archive;
        CREATE INDEX archive_by_correlation ON archive(correlation_id);
        """

    /// Version 1: every table of DESIGN.md §3's node store.
    ///
    /// - `outbox`: published events until ``StoreBatch/completed``; `parked` is 1 while the
    ///   event was published with no groups and none were added since.
    /// - `outbox_group`: one row per group still owed the event, with attempts made; deleted on
    ///   acknowledgement or dead letter.
    /// - `idempotency`: handled keys and their expiry (indexed for purging).
    /// - `dead_letter`, `archive` (indexed by correlation; `seq` gives recording order),
    ///   `interest` (rowid order is announcement order), `state` (a single row).
    static let version1 = """
        CREATE TABLE outbox (
            event_id BLOB NOT NULL PRIMARY KEY,
            published_at INTEGER NOT NULL,
            correlation_id BLOB NOT NULL,
            parked INTEGER NOT NULL,
            envelope BLOB NOT NULL
        );
        CREATE INDEX outbox_by_age ON outbox(published_at, event_id);

        CREATE TABLE outbox_group (
            event_id BLOB NOT NULL,
            "group" TEXT NOT NULL,
            attempts INTEGER NOT NULL,
            PRIMARY KEY (event_id, "group")
        ) WITHOUT ROWID;

        CREATE TABLE idempotency (
            key TEXT NOT NULL PRIMARY KEY,
            event_id BLOB NOT NULL,
            expires_at INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX idempotency_by_expiry ON idempotency(expires_at);

        CREATE TABLE dead_letter (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            event_id BLOB NOT NULL,
            "group" TEXT NOT NULL,
            reason TEXT NOT NULL,
            last_error TEXT NOT NULL,
            attempts INTEGER NOT NULL,
            first_failure INTEGER NOT NULL,
            last_failure INTEGER NOT NULL,
            envelope BLOB NOT NULL
        );

        CREATE TABLE archive (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            event_id BLOB NOT NULL,
            correlation_id BLOB NOT NULL,
            causation_id BLOB,
            type TEXT NOT NULL,
            direction TEXT NOT NULL,
            node_id TEXT NOT NULL,
            "group" TEXT NOT NULL,
            at INTEGER NOT NULL,
            envelope BLOB NOT NULL
        );
        CREATE INDEX archive_by_correlation ON archive(correlation_id);

        CREATE TABLE interest (
            node_id TEXT NOT NULL,
            subscription_id INTEGER NOT NULL,
            "group" TEXT NOT NULL,
            pattern TEXT NOT NULL,
            filter TEXT NOT NULL,
            options INTEGER NOT NULL
        );

        CREATE TABLE state (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            json BLOB NOT NULL
        );
        """
}
