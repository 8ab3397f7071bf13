"""A Segments API server that is not our mock: the standard library's http.server, written from the
contract alone, for the benchmarks (bench/latency.py). Our mock's costs (uvicorn, Starlette, its
fault and variant switches) must not be what a speed figure measures.

    python bench/plain_server.py [--port 0] [--app-id ID] [--app-token TOKEN]

It prints "listening on http://HOST:PORT" and serves until killed: create (the request schema of
the effective document, the 20,000-customer and 100 auto-update/passive caps), get, delete, 401
before anything else, 404 for other paths, 405 with Allow, 415, and the vendor's Error object.
"""

from __future__ import annotations

import argparse
import http.server
import json
import secrets
import sys
import threading
from datetime import datetime, timezone
from secrets import compare_digest

from conformance.contract import CREATE_PATH, Contract, inline_refs, schema_validator

PREFIX = CREATE_PATH + "/"
STATIC_CAP, DYNAMIC_CAP = 20_000, 100
DYNAMIC = ("auto-update", "passive")


class Store:
    def __init__(self) -> None:
        contract = Contract.bundled()
        schema = contract.effective["paths"][CREATE_PATH]["post"]["requestBody"]["content"]["application/json"]["schema"]
        self.validator = schema_validator(inline_refs(schema, contract.effective))  # the contract as data
        self.lock = threading.Lock()
        self.segments: dict[str, dict] = {}


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as real servers do
    # Headers and body leave in one write (http.server flushes after each answer), without Nagle:
    # otherwise every answer waits out a delayed ACK (40 ms), which no production server does.
    wbufsize = 64 * 1024
    disable_nagle_algorithm = True
    server: PlainServer

    def log_message(self, *args) -> None:
        pass

    def _send(self, status: int, body: dict | None = None, headers: tuple = ()) -> None:
        data = b"" if body is None else json.dumps(body).encode("utf-8")
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        if status != 204:
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _error(self, status: int, key: str, message: str, details: str, headers: tuple = ()) -> None:
        body = {"code": status, "key": key, "message": message, "details": details,
                "request_id": "v-" + secrets.token_hex(8)}
        self._send(status, body, headers)

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _handle(self) -> None:
        raw = self._body()  # read whatever comes, so the connection stays usable
        app_id, token = self.headers.get("X-App-Id"), self.headers.get("X-App-Token")
        if not app_id or not token or not (compare_digest(app_id.encode("latin-1"), self.server.app_id.encode())
                                           and compare_digest(token.encode("latin-1"), self.server.app_token.encode())):
            return self._error(401, "unauthorized", "Unauthorized", "Missing or invalid X-App-Id or X-App-Token")
        path = self.path.split("?", 1)[0]
        if path == CREATE_PATH:
            if self.command == "POST":
                return self._create(raw)
            return self._error(405, "method_not_allowed", "Method not allowed", f"use POST on {path}", (("Allow", "POST"),))
        if path.startswith(PREFIX) and "/" not in path[len(PREFIX):] and path != PREFIX:
            segment_id = path[len(PREFIX):]
            if self.command == "GET":
                return self._get(segment_id)
            if self.command == "DELETE":
                return self._delete(segment_id)
            return self._error(405, "method_not_allowed", "Method not allowed", f"use GET or DELETE on {path}",
                               (("Allow", "GET, DELETE"),))
        return self._error(404, "not_found", "Resource not found", f"no route for {self.command} {path}")

    do_GET = do_POST = do_DELETE = do_PUT = do_PATCH = do_HEAD = do_OPTIONS = do_TRACE = _handle

    def _create(self, raw: bytes) -> None:
        media = (self.headers.get("Content-Type") or "").split(";", 1)[0].strip().lower()
        if media != "application/json" and (raw or self.headers.get("Content-Type") is not None):
            return self._error(415, "unsupported_media_type", "Unsupported Media Type", "send application/json")
        try:
            body = json.loads(raw, parse_constant=_no_constants)
        except (ValueError, RecursionError):
            return self._error(400, "invalid_payload", "Invalid payload", "the body is not JSON")
        if not self.server.store.validator.is_valid(body):
            return self._error(400, "invalid_payload", "Invalid payload", "the body is not a segment definition")
        kind = body.get("type", "static")
        store = self.server.store
        with store.lock:
            if kind == "static" and len(body.get("customers") or ()) > STATIC_CAP:
                return self._error(400, "invalid_payload", "Invalid payload", f"at most {STATIC_CAP} customers")
            if kind in DYNAMIC and sum(s["type"] in DYNAMIC for s in store.segments.values()) >= DYNAMIC_CAP:
                return self._error(400, "limit_exceeded", "Limit exceeded", f"at most {DYNAMIC_CAP} auto-update and passive segments")
            segment = {"id": "seg_" + secrets.token_urlsafe(18).replace("-", "x").replace("_", "y"), "name": body["name"],
                       "created_at": datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                       "type": kind, "filter": body.get("filter") if kind in DYNAMIC else None, "object": "segment"}
            store.segments[segment["id"]] = segment
        self._send(200, {**segment, "initial_sync_status": "DONE" if kind == "static" else "IN_PROGRESS"})

    def _get(self, segment_id: str) -> None:
        segment = self.server.store.segments.get(segment_id)
        if segment is None:
            return self._error(404, "not_found", "Resource not found", f"Cannot find segment with id {segment_id}")
        self._send(200, segment)

    def _delete(self, segment_id: str) -> None:
        with self.server.store.lock:
            segment = self.server.store.segments.pop(segment_id, None)
        if segment is None:
            return self._error(404, "not_found", "Resource not found", f"Cannot find segment with id {segment_id}")
        self._send(204)


def _no_constants(constant: str):
    raise ValueError(f"{constant} is not JSON")


class PlainServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # the standard library listens with a backlog of 5: connections at once would be refused

    def __init__(self, address, app_id: str, app_token: str) -> None:
        super().__init__(address, Handler)
        self.app_id, self.app_token, self.store = app_id, app_token, Store()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--app-id", default="bench-app-id")
    parser.add_argument("--app-token", default="bench-app-token")
    args = parser.parse_args(argv)
    server = PlainServer((args.host, args.port), args.app_id, args.app_token)
    print(f"listening on http://{args.host}:{server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
