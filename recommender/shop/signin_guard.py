"""Throttling for password sign-in: growing waits, lockouts, and a cap on parallel checks.

Each argon2 check costs the server about 200 ms and 64 MiB, so unlimited guesses are both a
way to guess the password and a way to run the server out of memory. The guard answers every
attempt before any password is checked:

- After a few free mistakes, each further failure on an account makes the next attempt wait
  longer (doubling, up to a ceiling). A refused attempt costs nothing: no hash is computed.
- Too many failures on one account lock it for a while; too many across all accounts within a
  window lock password sign-in for everyone, which is what a spray over many accounts or many
  tabs looks like. Lockouts are logged with the account, never the password.
- Only a few checks run at once in the whole process, and one at a time per account, so
  parallel tabs cannot jump the queue or multiply the memory.

The state lives in this process (one guard per server process, shared by every Streamlit
session through `shared_guard`); see docs/operations/security.md for what several replicas mean. Time comes
from an injectable clock so tests step it instead of sleeping.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass

logger = logging.getLogger(__name__)

ACCEPTED, WRONG, WAIT, LOCKED, BUSY = "accepted", "wrong", "wait", "locked", "busy"


@dataclass(frozen=True, slots=True)
class ThrottlePolicy:
    """How forgiving sign-in is. The defaults suit a staff page used by a handful of people."""

    free_failures: int = 3  # mistakes allowed back to back before any wait
    first_wait_seconds: float = 2.0  # after the first failure past the free ones; then doubles
    max_wait_seconds: float = 60.0
    lockout_after: int = 10  # failures on one account, each within `forget_after_seconds`
    lockout_seconds: float = 15 * 60
    forget_after_seconds: float = 15 * 60  # a quiet spell this long wipes an account's record
    global_failures: int = 50  # failures across all accounts within `global_window_seconds`
    global_window_seconds: float = 5 * 60
    global_lockout_seconds: float = 5 * 60
    max_concurrent_checks: int = 2  # argon2 checks in flight in this process
    max_tracked_accounts: int = 10_000  # memory bound; the least recently failed are dropped

    def wait_after(self, failures: int) -> float:
        """The wait before the next attempt once an account has `failures` in a row."""
        past_free = failures - self.free_failures
        if past_free <= 0:
            return 0.0
        return min(self.first_wait_seconds * 2 ** (past_free - 1), self.max_wait_seconds)


@dataclass(frozen=True, slots=True)
class Attempt:
    """What happened to one sign-in attempt, and how long to wait before the next one."""

    outcome: str  # ACCEPTED, WRONG, WAIT, LOCKED or BUSY
    retry_after: float = 0.0  # seconds; 0 when the next attempt may come at once

    @property
    def accepted(self) -> bool:
        """Whether the password was right and the attempt let in."""
        return self.outcome == ACCEPTED

    def message(self) -> str:
        """What the person signing in reads. It never says whether the account exists."""
        seconds = max(1, round(self.retry_after))
        if self.outcome == ACCEPTED:
            return "Signed in."
        if self.outcome == WRONG:
            later = f" Wait {seconds} s before trying again." if self.retry_after else ""
            return "That password is not right." + later
        if self.outcome == WAIT:
            return f"Too many wrong passwords: wait {seconds} s before trying again."
        if self.outcome == LOCKED:
            return (
                f"Sign-in is locked after too many wrong passwords. Try again in "
                f"{_minutes(self.retry_after)}, or ask an administrator."
            )
        return "Sign-in is busy just now: try again in a moment."


@dataclass(slots=True)
class _Account:
    failures: int = 0
    last_failure: float = 0.0
    not_before: float = 0.0  # no attempt is checked before this time
    locked: bool = False  # `not_before` is a lockout's end, not a wait
    checking: bool = False  # a check for this account is running now


class SignInGuard:
    """Decides whether a password attempt is checked at all, and records how it went."""

    def __init__(
        self, policy: ThrottlePolicy | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.policy = policy or ThrottlePolicy()
        self.clock = clock
        self._lock = threading.Lock()
        self._checks = threading.BoundedSemaphore(self.policy.max_concurrent_checks)
        self._accounts: OrderedDict[str, _Account] = OrderedDict()
        self._recent_failures: deque[float] = deque(maxlen=self.policy.global_failures)
        self._global_lock_until = 0.0

    def attempt(self, account: str, check: Callable[[], bool]) -> Attempt:
        """Run `check` (the costly password comparison) only if `account` may try now."""
        refused = self._admit(account)
        if refused is not None:
            return refused
        if not self._checks.acquire(blocking=False):
            self._release(account)
            return Attempt(BUSY)
        try:
            ok = bool(check())
        except BaseException:
            self._release(account)
            raise
        finally:
            self._checks.release()
        return self._record(account, ok)

    def _admit(self, account: str) -> Attempt | None:
        with self._lock:
            now = self.clock()
            if now < self._global_lock_until:
                return Attempt(LOCKED, self._global_lock_until - now)
            state = self._current(account, now)
            if state.checking:
                return Attempt(BUSY)
            if now < state.not_before:
                return Attempt(LOCKED if state.locked else WAIT, state.not_before - now)
            if state.locked:  # the lockout has run out: a fresh start
                self._accounts.pop(account, None)
                state = self._current(account, now)
            state.checking = True
            return None

    def _release(self, account: str) -> None:
        with self._lock:
            state = self._accounts.get(account)
            if state is not None:
                state.checking = False

    def _record(self, account: str, ok: bool) -> Attempt:
        with self._lock:
            now = self.clock()
            if ok:
                self._accounts.pop(account, None)
                return Attempt(ACCEPTED)
            state = self._current(account, now)
            state.checking = False
            state.failures += 1
            state.last_failure = now
            self._accounts.move_to_end(account)
            policy = self.policy
            if state.failures >= policy.lockout_after:
                state.locked = True
                state.not_before = now + policy.lockout_seconds
                logger.warning(
                    "sign-in locked for account %r for %.0f s after %d wrong passwords",
                    account,
                    policy.lockout_seconds,
                    state.failures,
                )
                return Attempt(LOCKED, policy.lockout_seconds)
            if self._global_limit_reached(now):
                self._global_lock_until = now + policy.global_lockout_seconds
                self._recent_failures.clear()  # the lockout answers these; count afresh after
                logger.warning(
                    "password sign-in locked for everyone for %.0f s: %d wrong passwords "
                    "within %.0f s",
                    policy.global_lockout_seconds,
                    policy.global_failures,
                    policy.global_window_seconds,
                )
                return Attempt(LOCKED, policy.global_lockout_seconds)
            state.not_before = now + policy.wait_after(state.failures)
            return Attempt(WRONG, state.not_before - now)

    def _global_limit_reached(self, now: float) -> bool:
        failures = self._recent_failures
        failures.append(now)
        return (
            len(failures) == failures.maxlen
            and now - failures[0] <= self.policy.global_window_seconds
        )

    def _current(self, account: str, now: float) -> _Account:
        """The account's record, forgotten after a quiet spell; created when missing."""
        state = self._accounts.get(account)
        quiet = state is not None and not state.locked and not state.checking
        if (
            quiet
            and state is not None
            and now - state.last_failure > self.policy.forget_after_seconds
        ):
            state = None
        if state is None:
            state = _Account()
            self._accounts[account] = state
            while len(self._accounts) > self.policy.max_tracked_accounts:
                self._accounts.popitem(last=False)
        return state


def _minutes(seconds: float) -> str:
    minutes = max(1, round(seconds / 60))
    return "1 minute" if minutes == 1 else f"{minutes} minutes"


_shared: SignInGuard | None = None
_shared_lock = threading.Lock()


def shared_guard() -> SignInGuard:
    """The one guard of this server process, shared by every browser session."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = SignInGuard()
        return _shared


def reset_shared_guard(guard: SignInGuard | None = None) -> None:
    """Start from a clean record (tests, or an administrator's console after an incident)."""
    global _shared
    with _shared_lock:
        _shared = guard
