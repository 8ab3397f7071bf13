"""run.har: every exchange of a run as HAR 1.2, masked, for a browser's developer tools.

Built from the Recorder's masked exchanges (the output side): a credential never reaches the file.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from conformance import __version__, outputs


def har_document(exchanges: dict[int, dict[str, Any]]) -> dict[str, Any]:
    """HAR 1.2 (http://www.softwareishard.com/blog/har-12-spec/): one entry per exchange, oldest
    first (the order the spec prefers), every field the spec requires present, so that a browser's
    developer tools import it (Chromium's importer needs the numbers to be numbers and the dates
    dates)."""
    ordered = sorted(exchanges, key=lambda sequence: (exchanges[sequence]["started_at"], sequence))
    return {"log": {
        "version": "1.2",
        "creator": {"name": "segments-conformance", "version": __version__},
        "pages": [],
        "entries": [_entry(exchanges[sequence]) for sequence in ordered],
        "comment": "Every request the run sent and the answer it got, credentials masked (***).",
    }}


def write_har(recorder, path: Path) -> None:
    outputs.write_text(path, json.dumps(har_document(recorder.exchanges), ensure_ascii=False) + "\n")


def _entry(exchange: dict[str, Any]) -> dict[str, Any]:
    request, response, full = exchange["request"], exchange["response"], exchange["full"]
    elapsed = float(response["elapsed_ms"] or 0.0)
    request_type = _header(request["headers"].items(), "content-type") or "application/octet-stream"
    response_headers = [(name, value) for name, value in full["response_headers"]]
    body = full["response_body"] or ""
    entry: dict[str, Any] = {
        "startedDateTime": datetime.fromtimestamp(exchange["started_at"], timezone.utc).isoformat(timespec="milliseconds"),
        "time": elapsed,
        "request": {
            "method": request["method"],
            "url": request["url"],
            "httpVersion": "HTTP/1.1",
            "cookies": [],
            "headers": [{"name": name, "value": value} for name, value in request["headers"].items()],
            "queryString": [{"name": name, "value": value} for name, value in parse_qsl(urlsplit(request["url"]).query, keep_blank_values=True)],
            "headersSize": -1,
            "bodySize": len((full["request_body"] or "").encode("utf-8")) if full["request_body"] is not None else 0,
        },
        "response": {
            "status": response["status"],
            "statusText": full.get("reason") or "",
            "httpVersion": "HTTP/1.1",
            "cookies": [],
            "headers": [{"name": name, "value": value} for name, value in response_headers],
            "content": {"size": len(body.encode("utf-8")), "mimeType": _header(response_headers, "content-type") or "", "text": body},
            "redirectURL": _header(response_headers, "location") or "",
            "headersSize": -1,
            "bodySize": len(body.encode("utf-8")),
        },
        "cache": {},
        "timings": {"send": 0, "wait": elapsed, "receive": 0},
        "comment": f"#{exchange['sequence']} " + (exchange.get("test") or "outside a test (probe or cleanup)"),
    }
    if full["request_body"] is not None:
        entry["request"]["postData"] = {"mimeType": request_type, "text": full["request_body"]}
    return entry


def _header(headers, name: str) -> str | None:
    return next((value for key, value in headers if key.lower() == name), None)
