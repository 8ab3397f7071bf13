"""Per-request cost of the HTTP clients we could send through, end to end against the mock.

    python bench/http_client.py [--requests 2000] [--rounds 5]

The mock runs in its own process (`conformance mock --quiet`); each round sends REQUESTS GETs of an
unknown id (404, the smallest answer) with each client in turn, on one kept-alive connection:
requests.Session (what the transport is built on, because schemathesis's checks send through a
requests session), urllib3.PoolManager (what requests sits on) and http.client. Prints the median
milliseconds per request of each and the difference, which bounds what switching could save.
"""

from __future__ import annotations

import argparse
import http.client
import statistics
import subprocess
import sys
import time
from urllib.parse import urlsplit

import requests
import urllib3

HEADERS = {"X-App-Id": "bench-id", "X-App-Token": "bench-token", "Accept": "application/json"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    mock = subprocess.Popen([sys.executable, "-m", "conformance", "mock", "--port", "0", "--quiet", "--app-id", "bench-id",
                             "--app-token", "bench-token"], stdout=subprocess.PIPE, text=True)
    url = next(word for word in mock.stdout.readline().split() if word.startswith("http://"))
    path = "/v1/segments/seg_unknown000000000000000000"
    parts = urlsplit(url)
    session, pool = requests.Session(), urllib3.PoolManager()
    connection = http.client.HTTPConnection(parts.hostname, parts.port)

    def with_requests():
        session.get(url + path, headers=HEADERS).content

    def with_urllib3():
        pool.request("GET", url + path, headers=HEADERS).data

    def with_http_client():
        connection.request("GET", path, headers=HEADERS)
        connection.getresponse().read()

    clients = {"requests": with_requests, "urllib3": with_urllib3, "http.client": with_http_client}
    times = {name: [] for name in clients}
    try:
        for _ in range(args.rounds):
            for name, send in clients.items():  # alternated within each round: the same load for each
                started = time.perf_counter()
                for _ in range(args.requests):
                    send()
                times[name].append((time.perf_counter() - started) * 1000 / args.requests)
    finally:
        mock.terminate()
    medians = {name: statistics.median(values) for name, values in times.items()}
    for name, median in medians.items():
        print(f"{name:12} {median:.3f} ms per request (median of {args.rounds} rounds of {args.requests})")
    print(f"requests costs {medians['requests'] - medians['urllib3']:.3f} ms per request over urllib3, "
          f"{medians['requests'] - medians['http.client']:.3f} ms over http.client")
    return 0


if __name__ == "__main__":
    sys.exit(main())
