#!/usr/bin/env python3
"""An external conference mapper in jitsi-meet's format (dialInConfCodeUrl), for dialin.mapper_url:
GET /<anything>?id=<digits> answers {"message", "id", "conference"} for the IDs in MAP (a JSON
object of id -> "room@muc") and 404 {"conference": false} for others. Every request is logged
as one JSON line to stdout, so a scenario can check what was asked.

usage: mapper_peer.py PORT MAP_JSON
"""
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

PORT, MAPPING = int(sys.argv[1]), json.loads(sys.argv[2])


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        url = urlparse(self.path)
        ident = parse_qs(url.query).get("id", [""])[0]
        conference = MAPPING.get(ident)
        status = 200 if conference else 404
        body = {"message": "Successfully retrieved conference mapping" if conference else "No conference mapping was found",
                "id": int(ident) if ident.isdigit() else ident, "conference": conference or False}
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        print(json.dumps({"path": url.path, "id": ident, "status": status}), flush=True)

    def log_message(self, *args):  # the JSON lines above are the log
        pass


ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
