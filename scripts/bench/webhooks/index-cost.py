"""What each processed event's index entries cost the writer, on a store kept from a webhook run.

Usage: index-cost.py STORE [--events 20000] [--step 80] [--drop INDEX ...]
Copies STORE (a store of scripts/bench/webhooks/run, kept with PATRON_BENCH_KEEP_STORES=DIR) to a
temporary file, memory-mapped as `patron serve` maps it, stores EVENTS new `track` events like the
last one (without a customer, as ingest stores them), then times, in transactions of STEP events as
the processing step writes them, `UPDATE event SET customerId` (which adds the event to
`eventByCustomer` and the by-time indexes) and the per-event `UPDATE customer` of the counts, with
Python's own cost per statement for reference. `--drop` drops indexes first, to see what each costs.
Prints microseconds per event.
"""
import argparse
import os
import random
import shutil
import sqlite3
import tempfile
import time

parser = argparse.ArgumentParser()
parser.add_argument("store")
parser.add_argument("--events", type=int, default=20000)
parser.add_argument("--step", type=int, default=80)
parser.add_argument("--drop", nargs="*", default=[])
args = parser.parse_args()

workdir = tempfile.mkdtemp()
path = os.path.join(workdir, "store.sqlite")
shutil.copyfile(args.store, path)
if os.path.exists(args.store + "-wal"):
    shutil.copyfile(args.store + "-wal", path + "-wal")
db = sqlite3.connect(path, isolation_level=None)
for pragma in ("journal_mode=WAL", "synchronous=OFF", "cache_size=-65536", "mmap_size=2147418112"):
    db.execute(f"PRAGMA {pragma}")
for index in args.drop:
    db.execute(f"DROP INDEX {index}")
last = db.execute("SELECT max(id) FROM event").fetchone()[0]
source, kind, timestamp, received, payload = db.execute(
    "SELECT source, type, timestamp, receivedAt, payload FROM event WHERE id = ?", (last,)).fetchone()
customers = db.execute("SELECT max(id) FROM customer").fetchone()[0]
random.seed(1)
db.execute("BEGIN")
for _ in range(args.events):
    db.execute(
        "INSERT INTO event (source, messageId, type, userId, name, timestamp, receivedAt, payload)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (source, f"{random.getrandbits(128):032x}", kind, "bg-1", f"Viewed {random.randrange(99)}", timestamp,
         received, payload))
db.execute("COMMIT")
db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
ids = list(range(last + 1, last + 1 + args.events))
owners = [random.randint(1, customers) for _ in ids]


def per_event(sql, arguments):
    started = time.perf_counter()
    for first in range(0, len(ids), args.step):
        db.execute("BEGIN")
        for index in range(first, min(first + args.step, len(ids))):
            db.execute(sql, arguments(index))
        db.execute("COMMIT")
    return (time.perf_counter() - started) / len(ids) * 1e6


event = per_event("UPDATE event SET customerId = ? WHERE id = ?", lambda i: (owners[i], ids[i]))
customer = per_event(
    "UPDATE customer SET eventCount = eventCount + 1, firstSeen = min(coalesce(firstSeen, ?1), ?1),"
    " lastSeen = max(coalesce(lastSeen, ?1), ?1) WHERE id = ?2", lambda i: (timestamp, owners[i]))
python = per_event("SELECT ? + ?", lambda i: (owners[i], ids[i]))
dropped = ", ".join(args.drop) or "none"
print(f"SQLite {sqlite3.sqlite_version}, {args.events:,} events in steps of {args.step}, indexes dropped: {dropped}")
print(f"UPDATE event SET customerId: {event:.1f} µs/event; UPDATE customer: {customer:.1f}; Python per statement: {python:.1f}")
shutil.rmtree(workdir)
