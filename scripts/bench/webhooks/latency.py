"""Ingest → signed webhook latency under background load (scripts/bench/webhooks/run).

Usage: latency.py BASE_URL WRITE_KEY RECEIVER_PORT SECRET RATE SECONDS SEGMENTS
Runs a webhook receiver (verifies every signature with `standardwebhooks`) and sends background
track events at RATE events/s (25 per /v1/batch, keep-alive connections) that touch SEGMENTS - 1
segments, plus one probe identify every 100 ms that makes a new customer enter the `probe`
segment, whose trigger sends a webhook. Latency = webhook arrival − probe request start.
Prints one JSON object.
"""
import http.client
import json
import random
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


sent_events, failures = [0], [0]


def background(worker, workers):
    connection = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
    interval = 25 * workers / rate
    next_at = time.time()
    end = time.time() + seconds
    while time.time() < end:
        batch = [{"type": "track", "userId": f"bg-{worker}-{random.randrange(5000)}", "messageId": uuid.uuid4().hex,
                  "event": f"Viewed {random.randrange(max(1, segments - 1))}", "properties": {"n": 1}} for _ in range(25)]
        if post(connection, "/v1/batch", {"batch": batch}) == 200:
            sent_events[0] += 25
        else:
            failures[0] += 1
        next_at += interval
        time.sleep(max(0, next_at - time.time()))


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


workers = max(1, min(16, int(rate / 500)))
threads = [threading.Thread(target=background, args=(w, workers)) for w in range(workers)]
threads.append(threading.Thread(target=probe))
started = time.time()
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
elapsed = time.time() - started
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
    "rate_target": rate, "events_per_second": round(sent_events[0] / elapsed), "failed_requests": failures[0],
    "probes": len(probes), "webhooks": len(latencies), "missing": len(probes) - len(latencies),
    "unverified": unverified[0], "p50_ms": percentile(0.5), "p99_ms": percentile(0.99),
    "max_ms": round(latencies[-1], 1) if latencies else None,
}))
