#!/usr/bin/env python3
"""What the index of track events by time costs processing: SQLite alone (Python's sqlite3), no server.

Usage: scripts/bench/segments-refresh/index-cost.py [--events 200000] [--rounds 2]

Creates the `event` table as the store has it (with `eventByCustomer`), inserts EVENTS `track`
events, then sets their `customerId` in transactions of 50 (what a processing step does to each
event), and reports µs per event with no extra index, with `trackEventByTime` and with
`futureDatedTrackEvent` (their definitions as migration v16 creates them), alternating, ROUNDS times.
"""
import argparse, datetime, os, random, sqlite3, tempfile, time, uuid

VARIANTS = {
    "no index by time": [],
    "trackEventByTime": [
        """CREATE INDEX trackEventByTime ON event("timestamp", "name", "customerId")
           WHERE "customerId" IS NOT NULL AND "type" = 'track'"""
    ],
    "futureDatedTrackEvent": [
        """CREATE INDEX futureDatedTrackEvent ON event("timestamp")
           WHERE "customerId" IS NOT NULL AND "type" = 'track' AND "timestamp" > "receivedAt\""""
    ],
}


def microseconds_per_event(indexes, events, directory):
    path = os.path.join(directory, "index-cost.sqlite")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("PRAGMA cache_size=-65536")
    db.execute(
        """CREATE TABLE event(id INTEGER PRIMARY KEY AUTOINCREMENT, source TEXT NOT NULL,
           messageId TEXT NOT NULL, type TEXT NOT NULL, userId TEXT, anonymousId TEXT, name TEXT,
           timestamp TEXT NOT NULL, receivedAt TEXT NOT NULL, payload TEXT NOT NULL, customerId INTEGER,
           UNIQUE(source, messageId))"""
    )
    db.execute("CREATE INDEX eventByCustomer ON event(customerId, timestamp) WHERE customerId IS NOT NULL")
    for sql in indexes:
        db.execute(sql)
    random.seed(1)
    start = datetime.datetime(2026, 11, 29)
    db.execute("BEGIN")
    for index in range(events):
        at = (start + datetime.timedelta(milliseconds=index / 10)).strftime("%Y-%m-%d %H:%M:%S.%f")[:23]
        db.execute(
            "INSERT INTO event(source, messageId, type, userId, name, timestamp, receivedAt, payload)"
            " VALUES ('web', ?, 'track', ?, ?, ?, ?, ?)",
            (uuid.uuid4().hex, f"u{random.randrange(80000)}", f"Viewed {random.randrange(99)}", at, at, "{}" * 80),
        )
    db.execute("COMMIT")
    began = time.perf_counter()
    for first in range(1, events + 1, 50):
        db.execute("BEGIN")
        for event in range(first, min(first + 50, events + 1)):
            db.execute("UPDATE event SET customerId = ? WHERE id = ?", (random.randrange(80000), event))
        db.execute("COMMIT")
    db.close()
    return (time.perf_counter() - began) / events * 1e6


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=2)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        print("| round | " + " | ".join(VARIANTS) + " |")
        print("|---:|" + "---:|" * len(VARIANTS))
        for round in range(1, arguments.rounds + 1):
            cells = [f"{microseconds_per_event(sql, arguments.events, directory):.1f}" for sql in VARIANTS.values()]
            print(f"| {round} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
