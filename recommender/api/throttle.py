"""Per-client limits of one worker: a request rate, and a throttle on wrong keys.

- `RateLimit`: RECOMMENDER_API_RATE requests a minute per client on POST /v1/recommendations
  (a token bucket: a client may spend a minute's worth at once, then one request per
  60/rate seconds). A client is the API key's id when the request carries a valid key, else the
  address it connects from. Over the rate: 429 with `Retry-After`.
- `WrongKeys`: an address that has sent `MAX_WRONG_KEYS` wrong keys within `WRONG_KEY_WINDOW`
  seconds gets 429 for every keyed request until the oldest of them is that old; its keys are
  not even compared meanwhile.

State is per worker process (nothing shared between workers or hosts): with N workers a client
may get up to N times the rate, as the kernel spreads its connections. Memory is bounded: the
least recently seen clients are forgotten past `MAX_TRACKED`. Time comes from an injectable
clock so tests step it.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Mapping

from recommender.errors import InputError

RATE_SETTING = "RECOMMENDER_API_RATE"
DEFAULT_RATE = 120  # a shopper answers a questionnaire far less often than twice a second
MAX_RATE = 10_000_000
MAX_WRONG_KEYS = 10
WRONG_KEY_WINDOW = 60.0
MAX_TRACKED = 100_000
Clock = Callable[[], float]


def rate_from_env(environ: Mapping[str, str]) -> int:
    """RECOMMENDER_API_RATE as a whole number of requests a minute (InputError when bad)."""
    raw = environ.get(RATE_SETTING, "").strip()
    if not raw:
        return DEFAULT_RATE
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_RATE:
        raise InputError(
            f"setting {RATE_SETTING}: '{raw}' is not a whole number of requests a minute "
            f"from 1 to {MAX_RATE:,}"
        )
    return int(raw)


class RateLimit:
    """A token bucket per client: `admit` returns 0 to go ahead, else seconds to wait."""

    def __init__(self, per_minute: int, clock: Clock = time.monotonic) -> None:
        self.per_minute = per_minute
        self.clock = clock
        self._seconds_per_request = 60.0 / per_minute
        # When each client's bucket is empty again (a "theoretical arrival time", GCRA).
        self._empty_at: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def admit(self, client: str) -> float:
        """0 when `client` may go ahead (spending one request), else the seconds to wait."""
        now = self.clock()
        with self._lock:
            empty_at = max(self._empty_at.get(client, now), now)
            wait = empty_at + self._seconds_per_request - now - 60.0
            if wait > 0:
                return wait
            self._empty_at[client] = empty_at + self._seconds_per_request
            self._empty_at.move_to_end(client)
            if len(self._empty_at) > MAX_TRACKED:
                self._empty_at.popitem(last=False)
            return 0.0


class WrongKeys:
    """Wrong keys by address: `wait` says how long an address must wait before trying again."""

    def __init__(self, clock: Clock = time.monotonic) -> None:
        self.clock = clock
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def wait(self, address: str) -> float:
        """The seconds `address` must wait before its keys are compared again (0: none)."""
        with self._lock:
            failures = self._failures.get(address)
            if failures is None or len(failures) < MAX_WRONG_KEYS:
                return 0.0
            return max(0.0, failures[0] + WRONG_KEY_WINDOW - self.clock())

    def failed(self, address: str) -> None:
        """Count a wrong key sent from `address`."""
        with self._lock:
            failures = self._failures.setdefault(address, deque(maxlen=MAX_WRONG_KEYS))
            failures.append(self.clock())
            self._failures.move_to_end(address)
            if len(self._failures) > MAX_TRACKED:
                self._failures.popitem(last=False)
