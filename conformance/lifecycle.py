"""What one run holds from start to end: the embedded mock, the Target and its transport, the
ledger on disk, the probe of the target, what a test may still start, and the cleanup at the end.

The plugin (conformance.plugin) owns the hooks and calls in here; nothing here knows pytest's
reports or the verdict.
"""

from __future__ import annotations

import os
import secrets
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from conformance import concurrency, options, parallel
from conformance.contract import Contract
from conformance.exchange import Exchange
from conformance.exits import UsageError
from conformance.interrupts import Interrupted
from conformance.ledger import Ledger
from conformance.target import Credentials, Target
from conformance.transport import TargetUnavailable, Transport


class Lifecycle:
    def __init__(self, settings: options.Settings, contract: Contract, credentials: Credentials, *, run_tag: str,
                 report_dir: Path, started: float, on_exchange: Callable[[Exchange], None]) -> None:
        self.settings = settings
        self.contract = contract
        self.credentials = credentials
        self.run_tag = run_tag
        self.report_dir = report_dir
        self.started = started
        self.on_exchange = on_exchange
        self.config: Any = None  # the pytest config, once configured (a worker keeps its own ledger part)
        self.mock = None
        self.made_target: Target | None = None  # None until a test (or the probe) needed it
        self._ledger: Ledger | None = None
        self._probe_thread: threading.Thread | None = None
        self._probe_result: str | None = None

    # --- the target ---------------------------------------------------------------------------------

    def ledger(self) -> Ledger:
        if self._ledger is None:
            path = parallel.worker_path(self.report_dir / "ledger.json", self.config)
            self._ledger = Ledger(path, base_url=self.settings.target_url or "embedded mock", run_tag=self.run_tag,
                                  write_through=not self.settings.embedded)
        return self._ledger

    @property
    def base_url(self) -> str:
        return self.settings.target_url or self._start_mock().url

    @property
    def loopback(self) -> bool:
        return self.settings.embedded or options.is_loopback(self.settings.target_url)

    def _start_mock(self):
        if self.mock is None:
            from conformance.mock.server import MockServer

            self.mock = MockServer(app_id=self.credentials.app_id, app_token=self.credentials.app_token,
                                   faults=self.settings.fault, variants=self.settings.variant, contract=self.contract)
            self.mock.start()
        return self.mock

    @property
    def target(self) -> Target:
        if self.made_target is None:
            ledger = self.ledger()
            ledger.base_url = self.base_url if not self.settings.embedded else "embedded mock"
            transport = Transport(
                self.base_url,
                self.contract,
                ledger=ledger,
                run_tag=self.run_tag,
                verify_tls=not self.settings.insecure,
                max_requests=self.settings.request_budget,
                stop_at=self.started + self.settings.max_time,
                max_in_flight=concurrency.in_flight_bound(self.settings),
            )
            transport.listeners.append(self.on_exchange)
            self.made_target = Target(transport, self.credentials)
        return self.made_target

    # --- the probe: start-up to first request -------------------------------------------------------

    def start_probe(self) -> None:
        """Probe the target while the suite is imported and collected. Only when no selection can
        turn out empty: a selection that matches nothing must stay a usage error before any traffic,
        so then the probe waits for collection."""
        if self.settings.target_url and self._probe_thread is None:
            self._probe_thread = threading.Thread(target=self._probe, name="conformance-probe", daemon=True)
            self._probe_thread.start()

    def _probe(self) -> None:
        try:
            self._probe_result = self.target.probe()
        except Interrupted as error:  # a signal during start-up: the run ends as interrupted
            self._probe_result = f"interrupted by {error}"

    def probed(self) -> str | None:
        """What keeps the target from being tested (None: it can be)."""
        if self._probe_thread is None:
            return self.target.probe()
        self._probe_thread.join()
        return self._probe_result

    # --- between tests ------------------------------------------------------------------------------

    def why_not_start(self) -> str | None:
        """Why no further test can start (the transport would refuse it), or None."""
        target = self.made_target
        if target is None:
            return None
        # A test needs a create and its delete at least.
        refusal = target.transport.refusal(reserved=len(target.ledger), requests=2)
        if isinstance(refusal, TargetUnavailable):
            return f"not tested: the target became unavailable: {refusal}"
        return f"not tested: {refusal}" if refusal is not None else None

    def clean_up_after(self, test: str) -> int:
        """Delete what `test` created and is still open (its own only: tests side by side create
        meanwhile); what cannot be deleted stays in the ledger for the final cleanup. Returns how
        many deletes were tried."""
        target = self.target
        open_ids = set(target.ledger.open_ids())
        created = [segment_id for segment_id in target.transport.created_for(test) if segment_id in open_ids]
        target.cleanup(created)
        return len(created)

    # --- the end ------------------------------------------------------------------------------------

    def finish(self) -> tuple[list[str] | None, int]:
        """Cleanup, then the mock stops; runs on every end (normal, failure, interrupt). Returns the
        ids left behind (None: this process had no target) and the requests the target sent."""
        left_behind, requests_sent = None, 0
        if self.made_target is not None:
            left_behind = self.made_target.cleanup()
            requests_sent = self.made_target.requests_sent
            self.made_target.close()
        if self.mock is not None:
            self.mock.stop()
        return left_behind, requests_sent


def check_the_mock_serves(settings: options.Settings, contract: Contract) -> None:
    """A document the embedded mock cannot serve (with the faults and variants asked for) is the
    user's input: one line, exit 4, before any traffic."""
    if not settings.embedded:
        return
    from conformance.mock import FaultNotApplicable, UnsupportedOperation, VariantNotLegal, create_app

    try:
        create_app("check", "check", settings.fault, settings.variant, contract)
    except (UnsupportedOperation, FaultNotApplicable, VariantNotLegal) as error:
        raise UsageError(str(error)) from None


def run_credentials(settings: options.Settings) -> Credentials:
    """The user's credentials; the embedded mock gets fresh ones for this run."""
    embedded = settings.embedded
    return Credentials(
        settings.app_id or ("conformance-" + secrets.token_hex(4) if embedded else ""),
        settings.app_token or (secrets.token_urlsafe(24) if embedded else ""),
    )


def keep_hypothesis_out_of_the_working_directory() -> None:
    """Hypothesis keeps caches (never examples: the suite runs without an example database, so a
    seed alone reproduces a run) in .hypothesis/ of the working directory; put them in the user's
    cache directory instead of littering wherever `conformance run` was started."""
    from hypothesis.configuration import set_hypothesis_home_dir

    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "segments-conformance" / "hypothesis"
    set_hypothesis_home_dir(cache)
