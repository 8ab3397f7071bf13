"""Requests per second of the reference mock, for create, get and delete separately.

    python bench/mock_rps.py [--requests 6000] [--clients 2] [--max-seconds 20]

Starts the mock in its own process (`python -m conformance.mock --port 0`) and drives it from
separate load-generator processes, each with one keep-alive HTTP/1.1 connection and a minimal
socket client (http.client would measure itself more than the mock). Phases run one after the
other over the same ids: create N static segments, get each, delete each. Every phase stops at
N requests or --max-seconds, whichever comes first. Traffic goes to 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import re
import socket
import subprocess
import sys
import time

HOST = "127.0.0.1"
APP_ID, APP_TOKEN = "test-app-id", "test-app-token"
PHASES = ("create", "get", "delete")
EXPECTED_STATUS = {"create": 200, "get": 200, "delete": 204}
BARRIER_TIMEOUT = 120.0  # seconds; a phase is capped well below this


class KeepAliveClient:
    """One HTTP/1.1 connection; requests one at a time; the mock always sends Content-Length."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection((HOST, port), timeout=30)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buffer = b""
        self.common = (
            f"Host: {HOST}:{port}\r\nX-App-Id: {APP_ID}\r\nX-App-Token: {APP_TOKEN}\r\n".encode()
        )

    def request(self, method: str, path: str, body: bytes = b"") -> tuple[int, bytes]:
        head = f"{method} {path} HTTP/1.1\r\n".encode() + self.common
        if body:
            head += b"Content-Type: application/json\r\n"
        head += f"Content-Length: {len(body)}\r\n\r\n".encode()
        self.sock.sendall(head + body)
        return self._response()

    def _response(self) -> tuple[int, bytes]:
        while b"\r\n\r\n" not in self.buffer:
            self._fill()
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        lines = head.split(b"\r\n")
        status = int(lines[0].split(b" ", 2)[1])
        length = 0
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        while len(self.buffer) < length:
            self._fill()
        body, self.buffer = self.buffer[:length], self.buffer[length:]
        return status, body

    def _fill(self) -> None:
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("the mock closed the connection")
        self.buffer += chunk


def worker(port: int, count: int, max_seconds: float, barrier, results) -> None:
    client = KeepAliveClient(port)
    for _ in range(20):  # warm up: the first create compiles the schema validator
        client.request("GET", "/v1/segments/seg_warmupwarmupwarmupwarmup")
    client.request("POST", "/v1/segments", b'{"name":"warm up"}')
    ids: list[str] = []
    for phase in PHASES:
        barrier.wait(BARRIER_TIMEOUT)
        started = time.perf_counter()
        deadline = started + max_seconds
        done = errors = 0
        for index in range(count if phase == "create" else len(ids)):
            if phase == "create":
                body = (
                    b'{"name":"bench %d","type":"static","customers":["cust_1","cust_2"]}' % index
                )
                status, answer = client.request("POST", "/v1/segments", body)
                if status == 200:
                    ids.append(json.loads(answer)["id"])
            elif phase == "get":
                status, _ = client.request("GET", f"/v1/segments/{ids[index]}")
            else:
                status, _ = client.request("DELETE", f"/v1/segments/{ids[index]}")
            done += 1
            errors += status != EXPECTED_STATUS[phase]
            if done % 64 == 0 and time.perf_counter() > deadline:
                break
        results.put((phase, done, errors, started, time.perf_counter()))


def start_mock() -> tuple[subprocess.Popen, int]:
    mock = subprocess.Popen(
        [sys.executable, "-m", "conformance.mock", "--host", HOST, "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    line = mock.stdout.readline()
    found = re.search(r"http://127\.0\.0\.1:(\d+)", line)
    if not found:
        mock.kill()
        raise SystemExit(f"the mock did not start: {line!r}")
    return mock, int(found.group(1))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--requests", type=int, default=6000, help="requests per phase, all clients together"
    )
    parser.add_argument(
        "--clients", type=int, default=2, help="load-generator processes (one connection each)"
    )
    parser.add_argument("--max-seconds", type=float, default=20.0, help="cap on each phase")
    args = parser.parse_args()

    mock, port = start_mock()
    barrier = multiprocessing.Barrier(args.clients + 1)
    results = multiprocessing.Queue()
    per_client = args.requests // args.clients
    clients = [
        multiprocessing.Process(
            target=worker, args=(port, per_client, args.max_seconds, barrier, results)
        )
        for _ in range(args.clients)
    ]
    try:
        for client in clients:
            client.start()
        total = per_client * args.clients
        print(f"mock on {HOST}:{port}; {args.clients} clients, {total} requests per phase")
        for phase in PHASES:
            barrier.wait(BARRIER_TIMEOUT)
            reports = [results.get(timeout=BARRIER_TIMEOUT) for _ in clients]
            done = sum(report[1] for report in reports)
            errors = sum(report[2] for report in reports)
            elapsed = max(report[4] for report in reports) - min(report[3] for report in reports)
            rate = done / elapsed
            print(
                f"{phase:<7} {done:>7} requests {elapsed:6.2f} s {rate:7.0f} req/s  {errors} errors"
            )
        for client in clients:
            client.join(timeout=BARRIER_TIMEOUT)
    finally:
        for client in clients:
            if client.is_alive():
                client.terminate()
        mock.terminate()
        mock.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
