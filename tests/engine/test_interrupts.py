"""Interrupts: a flag honoured at safe points."""

import signal
import time

import pytest

from conformance import interrupts


@pytest.fixture(autouse=True)
def clean():
    interrupts.reset()
    yield
    interrupts.reset()


def test_a_signal_is_only_recorded_until_a_safe_point():
    interrupts.simulate(signal.SIGTERM)
    assert interrupts.requested() and interrupts.signal_name() == "SIGTERM" and not interrupts.insisted()
    with pytest.raises(interrupts.Interrupted):
        interrupts.checkpoint()


def test_a_back_off_sleep_ends_early_on_a_signal():
    import threading

    threading.Timer(0.2, interrupts.simulate).start()
    started = time.monotonic()
    with pytest.raises(interrupts.Interrupted):
        interrupts.sleep(30)
    assert time.monotonic() - started < 1


def test_a_second_signal_insists():
    interrupts.simulate()
    interrupts.simulate()
    assert interrupts.insisted()


def test_the_handler_takes_the_real_signal_in_the_main_thread():
    previous = signal.getsignal(signal.SIGINT)
    try:
        interrupts.install()
        signal.raise_signal(signal.SIGINT)  # no exception here: only the flag
        assert interrupts.signal_name() == "SIGINT"
    finally:
        signal.signal(signal.SIGINT, previous)
