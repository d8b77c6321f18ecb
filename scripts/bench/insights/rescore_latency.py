"""Sends single Order Completed events to a running `patron serve` and measures, per order, the time
from the 200 answer to the customer's re-scored entry in the admin API.

Usage: rescore_latency.py BASE_URL WRITE_KEY ADMIN_TOKEN CUSTOMERS ORDERS SEED
Prints JSON: p50/p99/max latency in ms and the server's mean re-score time per step.
"""
import base64
import json
import random
import sys
import time
import urllib.request

url, write_key, token, customers, orders, seed = sys.argv[1:7]
customers, orders = int(customers), int(orders)
rng = random.Random(int(seed))
auth = "Basic " + base64.b64encode(f"{write_key}:".encode()).decode()


def get(path):
    request = urllib.request.Request(url + path, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request) as response:
        return response.read()


latencies = []
for n in range(orders):
    customer = f"c{rng.randrange(customers)}"
    before = len(json.loads(get(f"/api/v1/customers/{customer}/scores"))["history"])
    body = json.dumps({"batch": [{"type": "track", "userId": customer, "event": "Order Completed",
                                  "messageId": f"bench-{seed}-{n}",
                                  "properties": {"order_id": f"bench-{seed}-{n}", "revenue": 42.0}}]}).encode()
    request = urllib.request.Request(url + "/v1/batch", data=body, method="POST",
                                     headers={"Authorization": auth, "Content-Type": "application/json"})
    with urllib.request.urlopen(request) as response:
        assert response.status == 200
    acknowledged = time.perf_counter()
    while True:
        history = json.loads(get(f"/api/v1/customers/{customer}/scores"))["history"]
        if len(history) > before and history[-1]["reason"] == "order":
            break
        if time.perf_counter() - acknowledged > 10:
            raise SystemExit(f"{customer} was not re-scored within 10 s")
        time.sleep(0.002)
    latencies.append((time.perf_counter() - acknowledged) * 1000)

metrics = get("/metrics").decode()
total = count = 0.0
for line in metrics.splitlines():
    if line.startswith("patron_rescore_duration_seconds_sum"):
        total = float(line.split()[-1])
    if line.startswith("patron_rescore_duration_seconds_count"):
        count = float(line.split()[-1])
latencies.sort()
print(json.dumps({
    "orders": orders,
    "p50_ms": round(latencies[len(latencies) // 2], 1),
    "p99_ms": round(latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))], 1),
    "max_ms": round(latencies[-1], 1),
    "rescore_step_mean_ms": round(total / count * 1000, 3) if count else None,
    "rescore_steps": int(count),
}))
