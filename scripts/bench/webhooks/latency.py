"""Ingest → signed webhook latency under background load (scripts/bench/webhooks/run).

Usage: latency.py BASE_URL WRITE_KEY RECEIVER_PORT SECRET RATE SECONDS SEGMENTS [WARMUP]
Runs a webhook receiver (verifies every signature with `standardwebhooks`), has wrk send background
track events at RATE events/s (background.lua: 25 per /v1/batch, on a wall-clock schedule, up to 32
requests in flight) that touch SEGMENTS - 1 segments, and sends one probe identify every 100 ms
that makes a new customer enter the `probe` segment, whose trigger sends a webhook.
Latency = webhook arrival − probe request start. The load and the probes run WARMUP + SECONDS (WARMUP
10 by default); the percentiles are those of the probes sent after the first WARMUP seconds (steady
state: a fresh store is still creating most of its customers then), and the warm-up's own probes are
reported apart. Prints one JSON object.
"""
import http.client
import json
import os
import subprocess
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse

from standardwebhooks.webhooks import Webhook

base, write_key, receiver_port, secret = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
rate, seconds, segments = float(sys.argv[5]), float(sys.argv[6]), int(sys.argv[7])
warmup = float(sys.argv[8]) if len(sys.argv) > 8 else 10.0
webhook = Webhook(secret)
arrivals, unverified, lock = {}, [0], threading.Lock()


class Receiver(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        now = time.time()
        try:
            payload = webhook.verify(body, {k.lower(): v for k, v in self.headers.items()})
            ids = [i["value"] for i in payload["customer"]["ids"] if i["kind"] == "user_id"]
            with lock:
                for user in ids:
                    arrivals.setdefault(user, now)
        except Exception:
            with lock:
                unverified[0] += 1
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", receiver_port), Receiver)
threading.Thread(target=server.serve_forever, daemon=True).start()
target = urlparse(base)
auth = "Basic " + __import__("base64").b64encode(f"{write_key}:".encode()).decode()


def post(connection, path, body):
    connection.request("POST", path, body=json.dumps(body), headers={"Content-Type": "application/json", "Authorization": auth})
    response = connection.getresponse()
    response.read()
    return response.status


probes = {}


def probe():
    connection = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
    end = time.time() + warmup + seconds
    index = 0
    while time.time() < end:
        user = f"probe-{uuid.uuid4().hex[:12]}"
        started = time.time()
        if post(connection, "/v1/identify", {"userId": user, "messageId": uuid.uuid4().hex, "traits": {"probe": "yes"}}) == 200:
            probes[user] = started
        index += 1
        time.sleep(max(0, started + 0.1 - time.time()))


# The background load comes from wrk (background.lua): Python threads sending 400 requests/s took about
# a quarter of a core (of two) from the server they measured. 5,000 users per 500 events/s.
users = max(1, min(16, int(rate / 500))) * 5000
load = subprocess.Popen(
    ["wrk", "-t", "1", "-c", "32", "-d", f"{round(warmup + seconds)}s", "--timeout", "30s",
     "-s", os.path.join(os.path.dirname(os.path.abspath(__file__)), "background.lua"), base,
     "--", auth.removeprefix("Basic "), str(rate / 25), str(segments), str(users), "1"],
    stdout=subprocess.PIPE, text=True)
prober = threading.Thread(target=probe)
prober.start()
prober.join()
output = load.communicate()[0]
summary = next((json.loads(line.split(" ", 1)[1]) for line in output.splitlines() if line.startswith("WRKJSON ")),
               {"events": 0, "failed": -1, "seconds": seconds})
deadline = time.time() + 30
while time.time() < deadline:
    with lock:
        if all(user in arrivals for user in probes):
            break
    time.sleep(0.05)
first_probe = min(probes.values(), default=0)
if os.environ.get("PATRON_BENCH_PROBES_FILE"):
    # Each probe's send time (s from the first) and latency (ms), for finding when the slow ones were sent.
    with open(os.environ["PATRON_BENCH_PROBES_FILE"], "w") as out:
        for u, t in sorted(probes.items(), key=lambda item: item[1]):
            out.write(f"{t - first_probe:.3f} {(arrivals[u] - t) * 1000 if u in arrivals else -1:.1f}\n")


def latencies_of(warming):
    return sorted((arrivals[u] - t) * 1000 for u, t in probes.items()
                  if u in arrivals and (t - first_probe < warmup) == warming)


def percentile(values, q):
    return round(values[min(len(values) - 1, int(q * len(values)))], 1) if values else None


latencies, warming = latencies_of(False), latencies_of(True)
steady_probes = sum(1 for t in probes.values() if t - first_probe >= warmup)
print(json.dumps({
    "rate_target": rate, "events_per_second": round(summary["events"] / summary["seconds"]),
    "failed_requests": summary["failed"],
    "probes": steady_probes, "webhooks": len(latencies), "missing": len(probes) - len(latencies) - len(warming),
    "unverified": unverified[0], "p50_ms": percentile(latencies, 0.5), "p99_ms": percentile(latencies, 0.99),
    "max_ms": round(latencies[-1], 1) if latencies else None,
    "warmup_probes": len(warming), "warmup_p99_ms": percentile(warming, 0.99),
    "warmup_max_ms": round(warming[-1], 1) if warming else None,
}))
