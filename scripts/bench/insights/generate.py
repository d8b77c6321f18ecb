"""Writes a Patron store with a simulated customer base for the insights benchmark.

Usage: generate.py DATABASE CUSTOMERS SEED

The database must already carry Patron's schema (any `patron` command that opens it migrates it).
Customers follow BG/NBD in days: first purchase uniform over 2024, purchase rate λ ~ Gamma(1, 30 days),
dropout p ~ Beta(0.8, 12) after each purchase, observed until 2025-12-31; spend per order
Gamma-Gamma (p 6, q 4, γ 80). About 10 transactions per customer.
"""
import datetime
import sqlite3
import sys

import numpy as np

path, customers, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = np.random.default_rng(seed)
horizon = 731  # 2024-01-01 … 2025-12-31
first = rng.integers(0, 366, customers).astype(float)
rate = rng.gamma(1.0, 1 / 30, customers)
dropout = rng.beta(0.8, 12, customers)
# Repeat purchases before dropping out, capped at 1,000 (more never fit in 731 days at these rates).
repeats = np.minimum(rng.geometric(dropout) - 1, 1000)
owner = np.repeat(np.arange(customers), repeats)
gaps = rng.exponential(1 / rate[owner])
ends = np.cumsum(repeats)
starts = ends - repeats
running = np.cumsum(gaps)
offset = np.repeat(np.concatenate(([0.0], running))[starts], repeats)
times = first[owner] + (running - offset)
keep = times < horizon
owner, times = owner[keep], times[keep]
all_owner = np.concatenate((np.arange(customers), owner))
all_days = np.floor(np.concatenate((first, times))).astype(int)
order = np.lexsort((all_days, all_owner))
all_owner, all_days = all_owner[order], all_days[order]
nu = rng.gamma(4, 1 / 80, customers)
amounts = np.round(rng.gamma(6, 1 / nu[all_owner]), 2)
print(f"{customers} customers, {len(all_owner)} transactions", file=sys.stderr)

base = datetime.date(2024, 1, 1)
day_text = [f"{base + datetime.timedelta(days=int(d))} 00:00:00.000" for d in range(horizon)]
db = sqlite3.connect(path)
db.execute("PRAGMA synchronous = OFF")
db.execute("BEGIN")
db.executemany(
    "INSERT INTO customer (id, createdAt, firstSeen, lastSeen, eventCount) VALUES (?, '2026-01-01 00:00:00.000', NULL, NULL, 0)",
    ((i + 1,) for i in range(customers)),
)
db.executemany(
    "INSERT INTO identity (kind, value, customerId, createdAt) VALUES ('user_id', ?, ?, '2026-01-01 00:00:00.000')",
    ((f"c{i}", i + 1) for i in range(customers)),
)
db.executemany(
    "INSERT INTO customerTransaction (orderId, customerId, source, timestamp, revenue, currency) VALUES (?, ?, 'bench', ?, ?, 'EUR')",
    ((f"o{j:09d}", int(c) + 1, day_text[d], float(a)) for j, (c, d, a) in enumerate(zip(all_owner, all_days, amounts))),
)
db.execute("COMMIT")
db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
db.close()
