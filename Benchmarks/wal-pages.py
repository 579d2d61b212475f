#!/usr/bin/env python3
"""wal-pages.py - which b-trees a node store's commits write, read back from its WAL.

    python3 Benchmarks/wal-pages.py NODE.sqlite        # NODE.sqlite-wal must sit beside it

Every commit of a WAL-mode SQLite database appends one frame (24-byte header + page) per page it
changed, and marks its last frame as a commit. This reads the frames of the current WAL (from its
last restart), groups them into transactions, and names each page's b-tree (table or index, leaf
or interior) with SQLite's `dbstat` view, on a scratch copy of the database with the WAL applied.
It prints the transactions, frames per transaction, and pages per transaction by b-tree.

To look at a running `troupe bench`, keep its databases and freeze the nodes mid-run, so the WAL
is not checkpointed or restarted under the copy (Benchmarks/README.md, fourteenth round):

    troupe bench --mode durable --msgs 300000 --data /tmp/run --timeout 10 &
    sleep 2.5; pkill -STOP -f 'role (pub|sub)'
    mkdir /tmp/snap && cp /tmp/run/*.sqlite /tmp/run/*.sqlite-wal /tmp/snap/; pkill -KILL -f 'role (pub|sub)'
    python3 Benchmarks/wal-pages.py /tmp/snap/pub-0.sqlite

Needs the `sqlite3` command-line shell (Debian: `apt-get install sqlite3`).
"""
import collections
import os
import shutil
import struct
import subprocess
import sys
import tempfile


def frames(wal):
    """(page number, is commit) of each valid frame, in order."""
    _magic, _version, page_size, _seq, salt1, salt2, _c1, _c2 = struct.unpack(">IIIIIIII", wal[:32])
    offset = 32
    while offset + 24 + page_size <= len(wal):
        page, commit_size, frame_salt1, frame_salt2 = struct.unpack(">IIII", wal[offset:offset + 16])
        if (frame_salt1, frame_salt2) != (salt1, salt2):
            break  # left over from before the last restart
        yield page, commit_size != 0
        offset += 24 + page_size


def owners(database, wal_path):
    """Page number -> (b-tree name, page type), from a copy with the WAL checkpointed into it."""
    with tempfile.TemporaryDirectory() as scratch:
        copy = os.path.join(scratch, "copy.sqlite")
        shutil.copy(database, copy)
        shutil.copy(wal_path, copy + "-wal")
        subprocess.run(["sqlite3", copy, "PRAGMA wal_checkpoint(TRUNCATE)"], check=True, capture_output=True)
        rows = subprocess.run(["sqlite3", copy, "SELECT pageno, name, pagetype FROM dbstat"],
                              check=True, capture_output=True, text=True).stdout
    pages = {}
    for line in rows.splitlines():
        number, name, kind = line.split("|")
        pages[int(number)] = (name, kind)
    return pages


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    database = sys.argv[1]
    wal_path = database + "-wal"
    with open(wal_path, "rb") as handle:
        wal = handle.read()
    if len(wal) < 32:
        sys.exit(f"{wal_path}: no frames")
    pages = owners(database, wal_path)
    transactions, current = [], []
    for page, is_commit in frames(wal):
        current.append(page)
        if is_commit:
            transactions.append(current)
            current = []
    if not transactions:
        sys.exit(f"{wal_path}: no committed transaction since the last restart")
    count = len(transactions)
    total = sum(len(t) for t in transactions)
    print(f"{database}: {count} transactions, {total / count:.1f} pages each")
    by_tree = collections.Counter(pages.get(page, ("(freed)", "")) for t in transactions for page in t)
    for (name, kind), written in by_tree.most_common():
        print(f"  {written / count:7.2f}  {name} {kind}")


if __name__ == "__main__":
    main()
