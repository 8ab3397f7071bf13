"""The vendor's JavaScript SDK (npm `@voucherify/sdk`) behind the adapter boundary.

The SDK runs in Node, in clients/js/driver.mjs, one process per adapter, driven by JSON lines:
each adapter method is one command and one result. The package is installed on first use into a
cache directory (never into the source tree): `npm install` of clients/js/package.json into
$XDG_CACHE_HOME/segments-conformance/js-sdk (or $SDK_GATE_JS_MODULES, when set, as it is).

The JS SDK offers one way to build a create request (a plain object: `segments.create({...})`)
and one serializer (JSON.stringify of the object it returns). It runs as its users run it: loaded
from the package's entry point (the minified production build), with default options (no
exposeErrorCause, no timeoutMs). Its documented error is VoucherifyError, which that build neither
exports nor names (the driver learns its class from one it provokes offline); a caller has the
Error object's members copied onto it and the status only as its `code`, which is what the gate
judges (ClientError.fields, status).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
from pathlib import Path
from typing import Any

from conformance.sdk.adapter import ClientError, Result, SegmentsClient

DRIVER_DIR = Path(__file__).parent / "js"
PACKAGE = "@voucherify/sdk"
TIMEOUT = 60.0


class JsUnavailable(RuntimeError):
    """Node or the JS SDK cannot be had here (no node, no npm, no registry)."""


def modules_dir() -> Path:
    configured = os.environ.get("SDK_GATE_JS_MODULES")
    if configured:
        return Path(configured)
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "segments-conformance" / "js-sdk"


def ensure_installed() -> Path:
    """The directory whose node_modules holds the pinned JS SDK, installing it if needed."""
    if shutil.which("node") is None:
        raise JsUnavailable("node is not installed (the JS adapter runs @voucherify/sdk in Node)")
    target = modules_dir()
    wanted = json.loads((DRIVER_DIR / "package.json").read_text())["dependencies"][PACKAGE]
    installed = target / "node_modules" / "@voucherify" / "sdk" / "package.json"
    if installed.exists() and json.loads(installed.read_text()).get("version") == wanted:
        return target
    if shutil.which("npm") is None:
        raise JsUnavailable(f"{PACKAGE} is not installed in {target} and npm is not available to install it")
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(DRIVER_DIR / "package.json", target / "package.json")
    completed = subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--loglevel=error"], cwd=target,
                               capture_output=True, text=True, timeout=300)
    if completed.returncode != 0 or not installed.exists():
        raise JsUnavailable(f"npm install of {PACKAGE}@{wanted} failed: {completed.stderr.strip()[-500:]}")
    return target


class VoucherifyJsAdapter(SegmentsClient):
    name = "voucherify-js"
    ways = ("plain_object",)
    segment_serializers = ("JSON.stringify",)
    documented_error = "VoucherifyError"
    default_timeout = "none (axios's timeout 0, unless timeoutMs is given)"

    def __init__(self) -> None:
        modules = ensure_installed()
        environment = {**os.environ, "SDK_GATE_JS_MODULES": str(modules)}
        self._process = subprocess.Popen(["node", str(DRIVER_DIR / "driver.mjs")], stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8",
                                         bufsize=1, env=environment)
        self._lock = threading.Lock()
        self._abandoned = False
        version = self._command({"op": "version"})
        if not version.ok:
            raise JsUnavailable(f"the JS driver did not start: {version.describe()}")
        self.version = version.value

    def _command(self, command: dict[str, Any]) -> Result | None:
        with self._lock:
            if self._process.poll() is not None:
                raise JsUnavailable(f"the JS driver exited: {self._process.stderr.read()[-500:]}")
            self._process.stdin.write(json.dumps(command, ensure_ascii=False) + "\n")
            self._process.stdin.flush()
            timer = threading.Timer(TIMEOUT, self._process.kill)
            timer.start()
            try:
                line = self._process.stdout.readline()
            finally:
                timer.cancel()
        if not line:
            raise JsUnavailable(f"the JS driver gave no answer to {command['op']}: {self._process.stderr.read()[-500:]}")
        answer = json.loads(line)
        if answer.get("unended"):
            self._abandoned = True
            return None
        if "error" in answer:
            error = answer["error"]
            return Result(error=ClientError(f"js.{error['cls']}", bool(error["documented"]), error.get("status"),
                                            error.get("body"), " ".join(str(error.get("message", "")).split())[:500],
                                            error.get("fields")))
        return Result(value=answer.get("value"))

    def call_within(self, seconds: float, operation: str, *args: Any) -> Result | None:
        if operation == "create":
            self._way(args[1])
            return self._command({"op": "create", "body": args[0], "way": args[1], "patience": seconds})
        return self._command({"op": operation, "id": args[0], "patience": seconds})

    def configure(self, base_url: str, app_id: str, app_token: str) -> None:
        self._command({"op": "configure", "base_url": base_url, "app_id": app_id, "app_token": app_token})

    def _way(self, way: str) -> None:
        if way not in self.ways:
            raise ValueError(f"unknown way {way!r}; one of {self.ways}")

    def create(self, body: dict[str, Any], way: str) -> Result:
        self._way(way)
        return self._command({"op": "create", "body": body, "way": way})

    def get(self, segment_id: str) -> Result:
        return self._command({"op": "get", "id": segment_id})

    def delete(self, segment_id: str) -> Result:
        return self._command({"op": "delete", "id": segment_id})

    def parse_segment(self, text: str, operation: str = "get") -> Result:
        return self._command({"op": "parse", "text": text, "operation": operation})

    def roundtrip_segment(self, text: str, operation: str = "get") -> Result:
        return self._command({"op": "roundtrip", "text": text, "operation": operation})

    def serialize_segment(self, text: str, serializer: str, operation: str = "get") -> Result:
        if serializer not in self.segment_serializers:
            raise ValueError(f"unknown serializer {serializer!r}; one of {self.segment_serializers}")
        return self._command({"op": "serialize", "text": text, "serializer": serializer, "operation": operation})

    def serialize_create(self, body: dict[str, Any], way: str) -> Result:
        self._way(way)
        return self._command({"op": "serialize_create", "body": body, "way": way})

    def close(self) -> None:
        if self._process.poll() is None and self._abandoned:  # a call still waits: Node would wait with it
            self._process.kill()
            self._process.wait()
        if self._process.poll() is None:
            self._process.stdin.close()
            try:
                self._process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
