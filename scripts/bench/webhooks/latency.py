"""Ingest → signed webhook latency under background load (scripts/bench/webhooks/run).

Usage: latency.py BASE_URL WRITE_KEY RECEIVER_PORT SECRET RATE SECONDS SEGMENTS
Runs a webhook receiver (verifies every signature with `standardwebhooks`), has wrk send background
track events at RATE events/s (background.lua: 25 per /v1/batch, on a wall-clock schedule, up to 32
requests in flight) that touch SEGMENTS - 1 segments, and sends one probe identify every 100 ms
that makes a new customer enter the `probe` segment, whose trigger sends a webhook.
Latency = webhook arrival − probe request start.
Prints one JSON object.
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
    end = time.time() + seconds
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
    ["wrk", "-t", "1", "-c", "32", "-d", f"{round(seconds)}s", "--timeout", "30s",
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
latencies = sorted((arrivals[u] - t) * 1000 for u, t in probes.items() if u in arrivals)


def percentile(q):
    return round(latencies[min(len(latencies) - 1, int(q * len(latencies)))], 1) if latencies else None


print(json.dumps({
    "rate_target": rate, "events_per_second": round(summary["events"] / summary["seconds"]),
    "failed_requests": summary["failed"],
    "probes": len(probes), "webhooks": len(latencies), "missing": len(probes) - len(latencies),
    "unverified": unverified[0], "p50_ms": percentile(0.5), "p99_ms": percentile(0.99),
    "max_ms": round(latencies[-1], 1) if latencies else None,
}))
