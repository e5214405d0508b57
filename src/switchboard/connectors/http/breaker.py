"""A circuit breaker per endpoint: closed, open, half-open with a bounded number of trials.

* **closed**: every call goes through; the outcomes of the last ``window`` calls are
  kept, and once at least ``min_calls`` of them are in and the share of failures
  reaches ``failure_rate`` the breaker opens.
* **open**: no call goes through (:class:`CircuitOpen`, with ``retry_after`` the time
  left) for ``open_for`` seconds, then the breaker half-opens.
* **half-open**: at most ``trial_calls`` calls are let through; when they are all
  judged, the breaker closes (failure share below the rate, with a fresh window) or
  opens again.

Every admitted call holds a :class:`Permit` that is settled exactly once:
``success``, ``failure`` (connect errors, timeouts — a timeout counts as a failure —,
5xx, 429) or ``release`` (neither: a 4xx, a cancelled call, an error of our own).
Two known bugs of other breakers are ruled out by that shape:

* stuck half-open when a trial ends in an ignored or cancelled exception
  (resilience4j #544): a released trial gives its slot back, so another call may try;
  the client settles permits in a ``finally`` that also runs on cancellation.
* a timed-out call writing its result after the fallback ran (CAMEL-24134): a permit
  settled once ignores any later settlement, and the client's timeout cancels the
  call itself rather than abandoning it, so no late result exists to write.

The breaker is plain state mutated on one event loop (no locks needed); ``clock`` is
injectable so tests need not sleep.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from .configuration import BreakerConfig
from .errors import CircuitOpen

CLOSED, OPEN, HALF_OPEN = "closed", "open", "half_open"


@dataclass
class Permit:
    breaker: CircuitBreaker
    generation: int
    trial: bool
    settled: bool = False

    def success(self) -> None:
        self._settle(True)

    def failure(self) -> None:
        self._settle(False)

    def release(self) -> None:
        """Neither success nor failure: gives a trial's slot back."""
        if not self.settled:
            self.settled = True
            self.breaker._released(self)

    def _settle(self, ok: bool) -> None:
        if not self.settled:
            self.settled = True
            self.breaker._record(self, ok)


@dataclass
class CircuitBreaker:
    endpoint: str
    config: BreakerConfig = field(default_factory=BreakerConfig)
    clock: Callable[[], float] = time.monotonic
    state: str = CLOSED
    _outcomes: deque[bool] = field(init=False)
    _opened_at: float = 0.0
    _generation: int = 0  # bumped on every state change: stale permits are ignored
    _trials_out: int = 0  # trial permits admitted and not yet settled
    _failures: int = 0  # failures in the window, kept as calls come (not counted per call)
    _trial_results: list[bool] = field(default_factory=list)
    transitions: list[str] = field(default_factory=list)  # for logs and tests

    def __post_init__(self) -> None:
        self._outcomes = deque(maxlen=self.config.window)

    # -- admission ----------------------------------------------------------------------
    def acquire(self) -> Permit:
        """A permit to call, or :class:`CircuitOpen` when the endpoint must be spared."""
        if not self.config.enabled:
            return Permit(self, self._generation, trial=False)
        if self.state == OPEN:
            left = self._opened_at + self.config.open_for - self.clock()
            if left > 0:
                raise CircuitOpen(
                    f"circuit open for {self.endpoint}: not called, retry in {left:.1f}s",
                    retry_after=left,
                )
            self._move(HALF_OPEN)
        if self.state == HALF_OPEN:
            judged = len(self._trial_results)
            if judged + self._trials_out >= self.config.trial_calls:
                raise CircuitOpen(
                    f"circuit half-open for {self.endpoint}: trial calls in progress",
                    retry_after=min(1.0, self.config.open_for),
                )
            self._trials_out += 1
            return Permit(self, self._generation, trial=True)
        return Permit(self, self._generation, trial=False)

    # -- outcomes -----------------------------------------------------------------------
    def _record(self, permit: Permit, ok: bool) -> None:
        if not self.config.enabled:
            return
        if permit.generation != self._generation:
            return  # admitted before the last state change: its news is stale
        if permit.trial:
            self._trials_out -= 1
            self._trial_results.append(ok)
            if len(self._trial_results) >= self.config.trial_calls:
                failed = self._trial_results.count(False) / len(self._trial_results)
                self._move(OPEN if failed >= self.config.failure_rate else CLOSED)
            return
        window = self._outcomes
        if len(window) == window.maxlen and not window[0]:
            self._failures -= 1  # the oldest outcome, a failure, slides out
        window.append(ok)
        if not ok:
            self._failures += 1
        calls = len(window)
        if calls >= self.config.min_calls and self._failures / calls >= self.config.failure_rate:
            self._move(OPEN)

    def _released(self, permit: Permit) -> None:
        if permit.trial and permit.generation == self._generation:
            self._trials_out -= 1

    def _move(self, state: str) -> None:
        self.state = state
        self._generation += 1
        self._trials_out = 0
        self._trial_results = []
        if state == OPEN:
            self._opened_at = self.clock()
        if state == CLOSED:
            self._outcomes.clear()
            self._failures = 0
        self.transitions.append(state)

    @property
    def failure_share(self) -> float:
        return self._failures / len(self._outcomes) if self._outcomes else 0.0


__all__ = ["CLOSED", "HALF_OPEN", "OPEN", "CircuitBreaker", "Permit"]
