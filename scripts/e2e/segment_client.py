#!/usr/bin/env python3
"""Real-client end-to-end test of `patron serve` with segment-analytics-python.

Usage (normally through the wrapper, which makes the venv):
  scripts/e2e/segment-client [--bin PATH] [--ingest-only] [--keep] [--verbose]
  <venv>/bin/python scripts/e2e/segment_client.py [same options]

Sends identify, track, page, Order Completed and alias through real `segment.analytics.Client`s,
one with gzip=True (asynchronous, batched, flush()) and one with gzip=False (sync_mode=True), each
for its own person; repeats a messageId and an order; then checks through the admin API
(Bearer token) the profile, identifiers, traits, event count (deduplicated), transactions
(deduplicated on order_id), the alias, 401/404 answers and the quarantine, and through SQLite that
every event was stored exactly once. Exit: 0 passed, 1 a check failed, 2 the admin API is missing.
"""

import argparse
import base64
import datetime
import json
import logging
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

try:
    import segment.analytics as segment_analytics
    from segment.analytics import request as segment_request
    from segment.analytics.version import VERSION as SEGMENT_VERSION
except ImportError:  # pragma: no cover - the wrapper installs it
    raise SystemExit("segment_client.py: segment-analytics-python is not installed; run scripts/e2e/segment-client")

WRITE_KEY = "wk_e2e_segment_client"
ADMIN_TOKEN = "adm_e2e_" + base64.b32encode(os.urandom(10)).decode().lower()
SOURCE = "web"


class Checks:
    def __init__(self):
        self.passed = 0
        self.failed = []

    def check(self, name, ok, detail=""):
        if ok:
            self.passed += 1
            print(f"  ok    {name}")
        else:
            self.failed.append(f"{name}: {detail}")
            print(f"  FAIL  {name}: {detail}")
        return ok


# ---------------------------------------------------------------------------------------------
# Server and HTTP


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http(base, method, path, token=None, body=None, headers=None):
    """(status, parsed JSON or None, raw bytes)."""
    req = urllib.request.Request(base + path, method=method, data=body, headers=dict(headers or {}))
    if token is not None:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            status, raw = r.status, r.read()
    except urllib.error.HTTPError as e:
        status, raw = e.code, e.read()
    try:
        parsed = json.loads(raw) if raw else None
    except ValueError:
        parsed = None
    return status, parsed, raw


def start_server(binary, workdir, port, with_admin):
    db = os.path.join(workdir, "patron.sqlite")
    cmd = [binary, "serve", "--database", db, "--host", "127.0.0.1", "--port", str(port),
           "--write-key", f"{SOURCE}={WRITE_KEY}"]
    if with_admin:
        cmd += ["--admin-token", ADMIN_TOKEN]
    log = open(os.path.join(workdir, "server.log"), "wb")
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 30
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"patron serve exited with {proc.returncode}: {read_log(workdir)}")
        try:
            if http(base, "GET", "/health")[0] == 200:
                return proc, db, base
        except OSError:
            pass
        time.sleep(0.1)
    proc.kill()
    raise SystemExit("patron serve did not answer /health within 30 s")


def read_log(workdir):
    try:
        with open(os.path.join(workdir, "server.log"), "rb") as f:
            return f.read().decode("utf-8", "replace")[-3000:]
    except OSError:
        return ""


# ---------------------------------------------------------------------------------------------
# The scenario


class Person:
    def __init__(self, tag, revenue1, revenue2):
        self.tag = tag
        self.user = f"e2e-{tag}-user"
        self.anon = f"e2e-{tag}-anon"
        self.anon2 = f"e2e-{tag}-anon2"
        self.email = f"{tag}.buyer@example.com"
        self.traits = {"email": self.email, "name": f"Buyer {tag.title()}", "plan": "pro", "age": 41}
        self.orders = {f"{tag}-order-1": revenue1, f"{tag}-order-2": revenue2}
        self.message_ids = []  # distinct messageIds sent for this person, in order
        self.sends = 0  # calls made (incl. the repeated messageId)

    def mid(self, n):
        return f"{self.tag}-msg-{n}"


def run_scenario(client, p):
    """Sends the person's events through `client`; returns nothing (the client queues or posts)."""

    def send(method, message_id, **kw):
        getattr(client, method)(message_id=message_id, **kw)
        p.sends += 1
        if message_id not in p.message_ids:
            p.message_ids.append(message_id)

    landing = "https://shop.example/?utm_source=newsletter&utm_medium=email&utm_campaign=spring"
    send("page", p.mid(1), anonymous_id=p.anon, name="Landing", properties={"url": landing},
         context={"campaign": {"source": "newsletter", "medium": "email", "name": "spring"},
                  "page": {"url": landing}})
    send("identify", p.mid(2), user_id=p.user, anonymous_id=p.anon, traits=p.traits)
    send("track", p.mid(3), user_id=p.user, event="Product Viewed", properties={"product_id": "sku-1"})
    send("page", p.mid(4), user_id=p.user, name="Checkout", category="Shop")
    (o1, r1), (o2, r2) = p.orders.items()
    order1 = {"order_id": o1, "revenue": r1, "currency": "USD",
              "products": [{"product_id": "sku-1", "sku": "SKU-1", "name": "Mug", "price": r1, "quantity": 1}]}
    send("track", p.mid(5), user_id=p.user, event="Order Completed", properties=order1)
    # the same messageId again (a client retry): must be stored once
    send("track", p.mid(5), user_id=p.user, event="Order Completed", properties=order1)
    # the same order again under a new messageId: a second event, but not a second transaction
    send("track", p.mid(6), user_id=p.user, event="Order Completed", properties=order1)
    order2 = {"order_id": o2, "revenue": r2, "currency": "USD",
              "products": [{"product_id": "sku-2", "sku": "SKU-2", "name": "Tea", "price": r2 / 2, "quantity": 2}]}
    send("track", p.mid(7), user_id=p.user, event="Order Completed", properties=order2)
    # a visitor on another device, linked to the user by alias
    send("page", p.mid(8), anonymous_id=p.anon2, name="Landing")
    send("alias", p.mid(9), previous_id=p.anon2, user_id=p.user)


# ---------------------------------------------------------------------------------------------
# Checks through SQLite (always possible)


def sqlite_checks(c, db, people, wire):
    print("\nstored events (SQLite, table event):")
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    rows = conn.execute("SELECT messageId, type, userId, anonymousId, name, payload FROM event").fetchall()
    conn.close()
    by_mid = {}
    for mid, typ, user, anon, name, payload in rows:
        by_mid.setdefault(mid, []).append((typ, user, anon, name, json.loads(payload)))
    for p in people:
        ids = {p.user, p.anon, p.anon2}
        mine = [(mid, r) for mid, rs in by_mid.items() for r in rs if r[1] in ids or r[2] in ids]
        mids = [mid for mid, _ in mine]
        c.check(f"[{p.tag}] {len(p.message_ids)} distinct messageIds sent ({p.sends} calls) -> "
                f"{len(p.message_ids)} stored", sorted(mids) == sorted(p.message_ids),
                f"stored {sorted(mids)}, sent {sorted(p.message_ids)}")
        c.check(f"[{p.tag}] repeated messageId {p.mid(5)} stored once", mids.count(p.mid(5)) == 1,
                f"{mids.count(p.mid(5))} rows")
        orders = [r[4] for _, r in mine if r[0] == "track" and r[3] == "Order Completed"]
        o1 = next(iter(p.orders))
        c.check(f"[{p.tag}] Order Completed stored with order_id, revenue, currency, products",
                any(o.get("properties", {}).get("order_id") == o1
                    and abs(o["properties"].get("revenue", 0) - p.orders[o1]) < 1e-9
                    and o["properties"].get("currency") == "USD"
                    and isinstance(o["properties"].get("products"), list) for o in orders), f"{orders[:1]}")
        libs = {((r[4].get("context") or {}).get("library") or {}).get("name") for _, r in mine}
        c.check(f"[{p.tag}] events carry context.library analytics-python", libs == {"analytics-python"},
                f"{libs}")
        identify = [r[4] for _, r in mine if r[0] == "identify"]
        c.check(f"[{p.tag}] identify stored with traits incl. email",
                bool(identify) and identify[0].get("traits", {}).get("email") == p.email, f"{identify}")
        alias = [r for _, r in mine if r[0] == "alias"]
        c.check(f"[{p.tag}] alias stored with previousId {p.anon2}",
                bool(alias) and alias[0][4].get("previousId") == p.anon2, f"{alias}")
    gz, plain = people
    c.check("requests of the gzip client were gzipped (Content-Encoding: gzip)",
            wire["gzip"] > 0 and wire["gzip_plain"] == 0, f"{wire}")
    c.check("requests of the plain client were not gzipped", wire["plain"] > 0 and wire["plain_gzip"] == 0,
            f"{wire}")
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    reasons = [r[0] for r in conn.execute("SELECT reason FROM quarantine").fetchall()]
    conn.close()
    c.check("an event without userId/anonymousId is in table quarantine as missingIdentity",
            "missingIdentity" in reasons, f"{reasons}")
    return len(rows)


# ---------------------------------------------------------------------------------------------
# Checks through the admin API


def iso(text):
    if not isinstance(text, str):
        return None
    try:
        return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def path_id(value):
    return urllib.parse.quote(value, safe="@")


def admin_checks(c, base, people, stored_rows):
    print("\nadmin API:")
    t = ADMIN_TOKEN
    p0 = people[0]
    for path in ["/api/v1/ingest/status", f"/api/v1/customers/{path_id(p0.user)}", "/api/v1/quarantine?limit=1"]:
        s, _, _ = http(base, "GET", path)
        c.check(f"GET {path} without a token -> 401", s == 401, f"got {s}")
        s, _, _ = http(base, "GET", path, token="wrong-" + t)
        c.check(f"GET {path} with a wrong token -> 401", s == 401, f"got {s}")

    # events become customers asynchronously after the ack: wait until nothing is pending
    deadline = time.time() + 10
    status = None
    while time.time() < deadline:
        s, status, raw = http(base, "GET", "/api/v1/ingest/status", token=t)
        if s == 200 and isinstance(status, dict) and status.get("pendingEvents") == 0:
            break
        time.sleep(0.2)
    c.check("GET /api/v1/ingest/status reaches pendingEvents == 0 within 10 s",
            isinstance(status, dict) and status.get("pendingEvents") == 0, f"last answer {status}")
    if isinstance(status, dict):
        c.check(f"ingest status storedEvents == {stored_rows} (rows in table event)",
                status.get("storedEvents") == stored_rows, f"{status}")
        c.check("ingest status processedEvents == storedEvents",
                status.get("processedEvents") == status.get("storedEvents"), f"{status}")

    ids = {}
    for p in people:
        s, cust, raw = http(base, "GET", f"/api/v1/customers/{path_id(p.user)}", token=t)
        if not c.check(f"[{p.tag}] GET /api/v1/customers/{p.user} -> 200 JSON", s == 200 and isinstance(cust, dict),
                       f"{s} {raw[:200]!r}"):
            continue
        ids[p.tag] = cust.get("id")
        idents = {(i.get("kind"), i.get("value")) for i in cust.get("identifiers") or [] if isinstance(i, dict)}
        for kind, value in [("user_id", p.user), ("anonymous_id", p.anon), ("anonymous_id", p.anon2),
                            ("email", p.email)]:
            c.check(f"[{p.tag}] identifiers include {kind}={value}", (kind, value) in idents, f"{sorted(idents)}")
        traits = cust.get("traits") or {}
        c.check(f"[{p.tag}] traits include the identify traits {sorted(p.traits)}",
                all(traits.get(k) == v for k, v in p.traits.items()), f"{traits}")
        first, last = iso(cust.get("firstSeen")), iso(cust.get("lastSeen"))
        c.check(f"[{p.tag}] firstSeen <= lastSeen, both ISO 8601", first is not None and last is not None
                and first <= last, f"{cust.get('firstSeen')!r} {cust.get('lastSeen')!r}")
        c.check(f"[{p.tag}] eventCount == {len(p.message_ids)} distinct messageIds ({p.sends} calls)",
                cust.get("eventCount") == len(p.message_ids), f"eventCount {cust.get('eventCount')}")
        c.check(f"[{p.tag}] transactionCount == {len(p.orders)} (the repeated order counted once)",
                cust.get("transactionCount") == len(p.orders), f"transactionCount {cust.get('transactionCount')}")
        want = round(sum(p.orders.values()), 2)
        got = cust.get("revenue")
        c.check(f"[{p.tag}] revenue == {want}", isinstance(got, (int, float)) and abs(got - want) < 1e-6,
                f"revenue {got!r}")
        c.check(f"[{p.tag}] acquisition is present (object or null)", "acquisition" in cust
                and (cust["acquisition"] is None or isinstance(cust["acquisition"], dict)),
                f"{cust.get('acquisition', '<missing>')!r}")
        print(f"        acquisition: {json.dumps(cust.get('acquisition'))}")
        for other in [p.anon, p.anon2, p.email]:
            s, alt, raw = http(base, "GET", f"/api/v1/customers/{path_id(other)}", token=t)
            c.check(f"[{p.tag}] GET by {other} -> the same customer id {ids[p.tag]}"
                    + (" (alias)" if other == p.anon2 else ""),
                    s == 200 and isinstance(alt, dict) and alt.get("id") == ids[p.tag], f"{s} {raw[:200]!r}")

        s, body, raw = http(base, "GET", f"/api/v1/customers/{path_id(p.user)}/events?limit=100", token=t)
        events = body.get("events") if isinstance(body, dict) else None
        if c.check(f"[{p.tag}] GET .../events?limit=100 -> 200 with an events list",
                   s == 200 and isinstance(events, list), f"{s} {raw[:200]!r}"):
            mids = [e.get("messageId") for e in events if isinstance(e, dict)]
            c.check(f"[{p.tag}] events are exactly the {len(p.message_ids)} sent messageIds, each once",
                    sorted(mids) == sorted(p.message_ids), f"got {sorted(mids)}")
            c.check(f"[{p.tag}] every event has a type; track events have their event name",
                    all(isinstance(e, dict) and isinstance(e.get("type"), str)
                        and (e["type"] != "track" or e.get("event")) for e in events),
                    f"{[(e.get('type'), e.get('event')) if isinstance(e, dict) else e for e in events]}")
            s, small, _ = http(base, "GET", f"/api/v1/customers/{path_id(p.user)}/events?limit=2", token=t)
            c.check(f"[{p.tag}] events?limit=2 returns 2 events",
                    isinstance(small, dict) and len(small.get("events") or []) == 2, f"{s} {small}")

        s, body, raw = http(base, "GET", f"/api/v1/customers/{path_id(p.user)}/transactions", token=t)
        txs = body.get("transactions") if isinstance(body, dict) else None
        if c.check(f"[{p.tag}] GET .../transactions -> 200 with a transactions list",
                   s == 200 and isinstance(txs, list), f"{s} {raw[:200]!r}"):
            by_order = {}
            for tx in (t for t in txs if isinstance(t, dict)):
                by_order.setdefault(tx.get("orderId"), []).append(tx)
            c.check(f"[{p.tag}] one transaction per order_id {sorted(p.orders)} (no duplicate)",
                    sorted(by_order) == sorted(p.orders) and all(len(v) == 1 for v in by_order.values()),
                    f"{txs}")
            for order, revenue in p.orders.items():
                tx = (by_order.get(order) or [{}])[0]
                c.check(f"[{p.tag}] transaction {order}: revenue {revenue}, USD, not refunded, has a timestamp",
                        isinstance(tx.get("revenue"), (int, float)) and abs(tx["revenue"] - revenue) < 1e-6
                        and tx.get("currency") == "USD" and tx.get("refunded") is False
                        and iso(tx.get("timestamp")) is not None, f"{tx}")
    if len(ids) == 2:
        c.check("the gzip person and the plain person are two different customers",
                ids[people[0].tag] != ids[people[1].tag], f"{ids}")

    s, body, raw = http(base, "GET", "/api/v1/customers/no-such-person-e2e", token=t)
    c.check("GET /api/v1/customers/<unknown> -> 404 with a JSON error",
            s == 404 and isinstance(body, dict) and bool(body.get("error")), f"{s} {raw[:200]!r}")

    s, body, raw = http(base, "GET", "/api/v1/quarantine?limit=10", token=t)
    events = body.get("events") if isinstance(body, dict) else None
    c.check("GET /api/v1/quarantine?limit=10 lists the missingIdentity event with detail and payload",
            s == 200 and isinstance(events, list)
            and any(isinstance(e, dict) and e.get("reason") == "missingIdentity" and e.get("detail")
                    and e.get("payload") for e in events),
            f"{s} {raw[:300]!r}")


# ---------------------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    parser.add_argument("--bin", default=os.environ.get("PATRON_BIN", os.path.join(repo, ".build/release/patron")),
                        help="the patron binary (env PATRON_BIN; default <repo>/.build/release/patron)")
    parser.add_argument("--ingest-only", action="store_true", help="skip the admin-API assertions")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    binary = os.path.abspath(args.bin)
    if not os.access(binary, os.X_OK):
        raise SystemExit(f"segment-client: no patron binary at {binary} (use --bin or PATRON_BIN)")
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING)

    help_text = subprocess.run([binary, "serve", "--help"], capture_output=True, text=True).stdout
    has_admin_flag = "--admin-token" in help_text
    workdir = tempfile.mkdtemp(prefix="patron-segment-client-")
    proc, db, base = start_server(binary, workdir, free_port(), with_admin=has_admin_flag)
    print(f"segment-client: segment-analytics-python {SEGMENT_VERSION} -> patron serve at {base}, database {db}")
    c = Checks()
    admin_missing = None
    try:
        # record what the library really puts on the wire (Content-Encoding per request)
        wire = {"gzip": 0, "gzip_plain": 0, "plain": 0, "plain_gzip": 0}
        original_post = segment_request._session.post

        def recording_post(url, **kw):
            # the gzip client posts from its consumer thread, the sync plain client from this one
            gzipped = (kw.get("headers") or {}).get("Content-Encoding") == "gzip" and \
                isinstance(kw.get("data"), bytes) and kw["data"][:2] == b"\x1f\x8b"
            if threading.current_thread() is not threading.main_thread():
                wire["gzip" if gzipped else "gzip_plain"] += 1
            else:
                wire["plain_gzip" if gzipped else "plain"] += 1
            return original_post(url, **kw)

        segment_request._session.post = recording_post

        errors = []
        gz_client = segment_analytics.Client(WRITE_KEY, host=base, gzip=True, sync_mode=False, upload_interval=0.1,
                                             max_retries=2, on_error=lambda e, batch: errors.append((e, len(batch))))
        plain_client = segment_analytics.Client(WRITE_KEY, host=base, gzip=False, sync_mode=True, max_retries=2)
        people = [Person("gz", 10.5, 20.25), Person("plain", 99.99, 0.01)]
        print("\nsending:")
        run_scenario(gz_client, people[0])
        gz_client.flush()
        gz_client.join()
        try:
            run_scenario(plain_client, people[1])
        except segment_request.APIError as e:
            errors.append((e, 1))
        for p, how in zip(people, ["gzip=True, sync_mode=False + flush()", "gzip=False, sync_mode=True"]):
            print(f"  {p.tag:<6} Client({how}): {p.sends} calls, {len(p.message_ids)} distinct messageIds "
                  f"(identify, track, page, 3x Order Completed for 2 orders, alias)")
        # an event no real client would send: no identity -> quarantined
        auth = "Basic " + base64.b64encode(f"{WRITE_KEY}:".encode()).decode()
        s, body, raw = http(base, "POST", "/v1/track", body=json.dumps({"event": "Orphan", "messageId": "orphan-1"})
                            .encode(), headers={"Authorization": auth, "Content-Type": "application/json"})
        print("\ndelivery:")
        c.check("the clients reported no delivery errors", not errors, f"{errors}")
        c.check("POST /v1/track without identity -> 200 {\"success\":true} (quarantined)",
                s == 200 and raw == b'{"success":true}', f"{s} {raw!r}")

        stored_rows = sqlite_checks(c, db, people, wire)

        if args.ingest_only:
            print("\nadmin API: skipped (--ingest-only)")
        else:
            probe = http(base, "GET", "/api/v1/ingest/status", token=ADMIN_TOKEN)[0]
            if not has_admin_flag:
                admin_missing = "`patron serve --help` has no --admin-token option"
            elif probe == 404:
                admin_missing = "GET /api/v1/ingest/status answered 404"
            if admin_missing:
                print(f"\nadmin API: NOT AVAILABLE in this build ({admin_missing}); the profile, transaction, "
                      f"alias and 401/404 assertions were not run")
            else:
                admin_checks(c, base, people, stored_rows)
        c.check("patron serve is still running", proc.poll() is None, f"exited with {proc.returncode}")
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
        if args.keep:
            print(f"\nkept: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)

    print(f"\n{c.passed} checks passed, {len(c.failed)} failed")
    if c.failed:
        print("FAILED:")
        for f in c.failed:
            print("  - " + f)
        return 1
    if admin_missing:
        print(f"INCOMPLETE: the admin API is not available ({admin_missing}); exit 2")
        return 2
    print("PASSED")
    return 0


if __name__ == "__main__":
    sys.exit(main())
