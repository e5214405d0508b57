"""The circuit breaker's state machine on a controlled clock."""

from __future__ import annotations

import pytest

from switchboard.connectors.http.breaker import CLOSED, HALF_OPEN, OPEN, CircuitBreaker
from switchboard.connectors.http.configuration import BreakerConfig
from switchboard.connectors.http.errors import CircuitOpen


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def breaker(**cfg: object) -> tuple[CircuitBreaker, Clock]:
    clock = Clock()
    config = BreakerConfig(**{"min_calls": 4, "window": 10, "open_for": 10, "trial_calls": 2,
                              **cfg})  # fmt: skip
    return CircuitBreaker("http://erp:80", config, clock=clock), clock


def run(b: CircuitBreaker, outcomes: str) -> None:
    for o in outcomes:
        p = b.acquire()
        p.success() if o == "s" else p.failure()


def test_defaults_are_resilience4j_like_with_a_minimum() -> None:
    cfg = BreakerConfig()
    assert (cfg.failure_rate, cfg.window, cfg.open_for, cfg.trial_calls) == (0.5, 100, 60.0, 10)
    assert cfg.min_calls == 20
    assert BreakerConfig(failure_rate="25%").failure_rate == 0.25


def test_rate_judged_only_from_min_calls_over_the_window() -> None:
    b, _ = breaker()
    run(b, "fff")
    assert b.state == CLOSED  # 3 failures, fewer than min_calls
    run(b, "f")
    assert b.state == OPEN


def test_failures_below_the_rate_keep_it_closed_and_the_window_slides() -> None:
    b, _ = breaker(window=4, failure_rate=0.75)
    run(b, "ffss" "ss" "fs" "f")
    assert b.state == CLOSED
    run(b, "f")  # the window is now f,s,f,f: 75%
    assert b.state == OPEN


def test_open_refuses_with_retry_after_then_half_opens_with_bounded_trials() -> None:
    b, clock = breaker()
    run(b, "ffff")
    clock.now = 4
    with pytest.raises(CircuitOpen) as info:
        b.acquire()
    assert info.value.retry_after == pytest.approx(6)
    clock.now = 10
    first, second = b.acquire(), b.acquire()
    assert b.state == HALF_OPEN
    with pytest.raises(CircuitOpen):
        b.acquire()  # both trial slots taken
    first.success()
    second.success()
    assert b.state == CLOSED and b.failure_share == 0


def test_released_trial_frees_its_slot() -> None:
    b, clock = breaker(trial_calls=1)
    run(b, "ffff")
    clock.now = 10
    trial = b.acquire()
    trial.release()  # cancelled or ignored: no verdict
    assert b.state == HALF_OPEN
    b.acquire().failure()
    assert b.state == OPEN


def test_permit_settles_once_and_stale_permits_are_ignored() -> None:
    b, clock = breaker()
    late = b.acquire()  # admitted while closed...
    run(b, "ffff")  # ...the breaker opens meanwhile
    late.failure()
    late.success()  # a second settlement of one permit changes nothing
    clock.now = 10
    trial = b.acquire()
    trial.failure()
    trial.success()
    assert b.state == HALF_OPEN  # one verdict from one trial, of two needed
    b.acquire().failure()
    assert b.state == OPEN


def test_disabled_breaker_never_opens() -> None:
    b, _ = breaker(enabled=False)
    run(b, "f" * 50)
    assert b.state == CLOSED
