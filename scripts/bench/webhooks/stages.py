"""Where a probe's time goes, by the server's own clock (scripts/bench/webhooks/run).

Usage: stages.py DATABASE RATE [WARMUP]
Reads the store of a finished run: for each probe customer received after the first WARMUP seconds
of probes (10 by default; see latency.py), when its identify was received, when it
entered the `probe` segment (the time of the evaluation that moved it), and when its webhook's first
attempt started and how long the request took. Prints one Markdown table row:
rate | received → entered p50 / p99 | entered → sending p50 / p99 | sending (HTTP round trip) p50 / p99.
"""
import datetime
import sqlite3
import sys

database, rate = sys.argv[1], int(float(sys.argv[2]))
warmup = float(sys.argv[3]) if len(sys.argv) > 3 else 10.0
connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True)


def milliseconds(text):
    return datetime.datetime.fromisoformat(text).timestamp() * 1000


rows = connection.execute("""
    SELECT event.receivedAt, membership.enteredAt, attempt.attemptedAt, attempt.milliseconds
    FROM event
    JOIN identity ON identity.kind = 'user_id' AND identity.value = event.userId
    JOIN segmentMembership AS membership ON membership.customerId = identity.customerId
    JOIN segment ON segment.id = membership.segmentId AND segment.name = 'probe'
    JOIN delivery ON delivery.customerId = identity.customerId
    JOIN deliveryAttempt AS attempt ON attempt.id =
        (SELECT min(id) FROM deliveryAttempt WHERE deliveryId = delivery.id)
    WHERE event.userId LIKE 'probe-%'
""").fetchall()
first_received = min((milliseconds(row[0]) for row in rows), default=0)
rows = [row for row in rows if milliseconds(row[0]) - first_received >= warmup * 1000]
stages = {"processing": [], "queue": [], "sending": []}
for received, entered, attempted, took in rows:
    # An attempt is recorded when its answer came, with how long the request took.
    sending_started = milliseconds(attempted) - took
    stages["processing"].append(milliseconds(entered) - milliseconds(received))
    stages["queue"].append(sending_started - milliseconds(entered))
    stages["sending"].append(took)


def percentiles(values):
    if not values:
        return "—"
    values = sorted(values)
    pick = lambda q: values[min(len(values) - 1, int(q * len(values)))]
    return f"{pick(0.5):.1f} / {pick(0.99):.1f}"


print(f"| {rate:,} | {len(rows)} | {percentiles(stages['processing'])} | {percentiles(stages['queue'])} | "
      f"{percentiles(stages['sending'])} |")
