"""A webhook receiver that verifies Standard Webhooks signatures with the `standardwebhooks` package.

Usage: webhook_receiver.py PORT SECRET LOG_FILE
Answers 204 to a verified request and 400 to one whose signature does not verify; appends one JSON
line per request to LOG_FILE: {"id": webhook-id, "verified": bool, "type": payload type, "event": the
payload's event (event.matched webhooks) or null}.
"""
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook

port, secret, log_path = int(sys.argv[1]), sys.argv[2], sys.argv[3]
webhook = Webhook(secret)


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        headers = {name.lower(): value for name, value in self.headers.items()}
        try:
            payload = webhook.verify(body, headers)
            verified = True
        except Exception as error:  # the library raises WebhookVerificationError
            payload, verified = {"error": str(error)}, False
        with open(log_path, "a") as log:
            log.write(json.dumps({"id": headers.get("webhook-id"), "verified": verified,
                                  "type": payload.get("type") if isinstance(payload, dict) else None,
                                  "event": payload.get("event") if isinstance(payload, dict) else None}) + "\n")
        self.send_response(204 if verified else 400)
        self.end_headers()

    def log_message(self, *args):
        pass


ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
