"""Password sign-in throttling: growing waits, lockouts, and a cap on parallel checks.

A fake clock stands in for time: each story steps it by hand, and nothing here sleeps.
"""

from __future__ import annotations

import logging
import threading

import pytest

from recommender.shop.signin_guard import (
    ACCEPTED,
    BUSY,
    LOCKED,
    WAIT,
    WRONG,
    SignInGuard,
    ThrottlePolicy,
    reset_shared_guard,
    shared_guard,
)

SECRET = "correct horse battery"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class Checker:
    """The costly password check, counting how often the guard let it run."""

    def __init__(self) -> None:
        self.runs = 0

    def __call__(self, password: str):
        def check() -> bool:
            self.runs += 1
            return password == SECRET

        return check


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def checker() -> Checker:
    return Checker()


def test_a_few_typos_are_free_then_each_failure_makes_the_next_try_wait_longer(clock, checker):
    guard = SignInGuard(ThrottlePolicy(free_failures=3, first_wait_seconds=2), clock)
    waits = []
    for _ in range(7):
        result = guard.attempt("admin", checker("guess"))
        assert result.outcome == WRONG
        waits.append(result.retry_after)
        clock.advance(result.retry_after)
    assert waits[:3] == [0, 0, 0]  # typos back to back cost nothing
    assert 0 < waits[3] < waits[4] < waits[5] < waits[6]
    assert checker.runs == 7


def test_an_attempt_during_a_wait_is_refused_without_checking_the_password(clock, checker):
    guard = SignInGuard(ThrottlePolicy(free_failures=0, first_wait_seconds=10), clock)
    wrong = guard.attempt("admin", checker("guess"))
    assert wrong.outcome == WRONG and wrong.retry_after == 10
    assert "Wait 10 s" in wrong.message()
    clock.advance(4)
    early = guard.attempt("admin", checker(SECRET))
    assert early.outcome == WAIT and early.retry_after == 6
    assert checker.runs == 1  # the early attempt cost no argon2 check at all
    clock.advance(6)
    assert guard.attempt("admin", checker(SECRET)).outcome == ACCEPTED


def test_the_right_password_after_some_typos_starts_the_count_afresh(clock, checker):
    guard = SignInGuard(ThrottlePolicy(free_failures=2), clock)
    for password in ("typo", "typo", SECRET):
        guard.attempt("admin", checker(password))
    assert guard.attempt("admin", checker("typo")).retry_after == 0  # a free mistake again


def test_repeated_failures_lock_the_account_and_the_lockout_is_logged(clock, checker, caplog):
    policy = ThrottlePolicy(free_failures=1, first_wait_seconds=1, lockout_after=5)
    guard = SignInGuard(policy, clock)
    outcomes = []
    with caplog.at_level(logging.WARNING, logger="recommender.shop.signin_guard"):
        for _ in range(5):
            result = guard.attempt("admin", checker("guess"))
            outcomes.append(result.outcome)
            clock.advance(result.retry_after if result.outcome == WRONG else 0)
    assert outcomes == [WRONG] * 4 + [LOCKED]
    assert any("locked for account 'admin'" in record.message for record in caplog.records)
    assert not any("guess" in record.message for record in caplog.records)
    clock.advance(policy.lockout_seconds - 1)
    locked = guard.attempt("admin", checker(SECRET))
    assert locked.outcome == LOCKED and "ask an administrator" in locked.message()
    clock.advance(1)
    assert guard.attempt("admin", checker(SECRET)).outcome == ACCEPTED


def test_one_locked_account_leaves_the_others_alone(clock, checker):
    guard = SignInGuard(ThrottlePolicy(free_failures=0, lockout_after=2), clock)
    guard.attempt("admin", checker("guess"))
    clock.advance(60)
    assert guard.attempt("admin", checker("guess")).outcome == LOCKED
    assert guard.attempt("ana", checker(SECRET)).outcome == ACCEPTED


def test_a_spray_across_many_accounts_locks_password_sign_in_for_everyone(clock, checker, caplog):
    policy = ThrottlePolicy(global_failures=20, global_window_seconds=60)
    guard = SignInGuard(policy, clock)
    with caplog.at_level(logging.WARNING, logger="recommender.shop.signin_guard"):
        outcomes = [guard.attempt(f"user{n}", checker("guess")).outcome for n in range(20)]
    assert outcomes[:19] == [WRONG] * 19 and outcomes[19] == LOCKED
    assert any("locked for everyone" in record.message for record in caplog.records)
    runs = checker.runs
    assert guard.attempt("somebody-new", checker(SECRET)).outcome == LOCKED
    assert checker.runs == runs
    clock.advance(policy.global_lockout_seconds)
    assert guard.attempt("somebody-new", checker(SECRET)).outcome == ACCEPTED


def test_failures_spread_thinly_over_time_never_lock_everyone(clock, checker):
    guard = SignInGuard(ThrottlePolicy(global_failures=5, global_window_seconds=60), clock)
    for n in range(20):
        assert guard.attempt(f"user{n}", checker("guess")).outcome == WRONG
        clock.advance(20)


def test_a_quiet_spell_forgets_old_mistakes(clock, checker):
    policy = ThrottlePolicy(free_failures=1, forget_after_seconds=600)
    guard = SignInGuard(policy, clock)
    guard.attempt("admin", checker("typo"))
    clock.advance(601)
    assert guard.attempt("admin", checker("typo")).retry_after == 0


def test_parallel_tabs_cannot_run_more_than_the_cap_of_password_checks(clock):
    guard = SignInGuard(ThrottlePolicy(max_concurrent_checks=2), clock)
    started, release = threading.Semaphore(0), threading.Event()

    def slow_check() -> bool:
        started.release()
        release.wait(timeout=30)
        return False

    results: dict[str, str] = {}

    def sign_in(account: str) -> None:
        results[account] = guard.attempt(account, slow_check).outcome

    threads = [threading.Thread(target=sign_in, args=(name,)) for name in ("ana", "ben")]
    for thread in threads:
        thread.start()
    for _ in threads:
        assert started.acquire(timeout=30)
    # Two argon2 checks are running: a third account, and a second tab on "ana", are turned
    # away at once instead of adding another 64 MiB.
    assert guard.attempt("cy", lambda: True).outcome == BUSY
    assert guard.attempt("ana", lambda: True).outcome == BUSY
    release.set()
    for thread in threads:
        thread.join(timeout=30)
    assert results == {"ana": WRONG, "ben": WRONG}
    assert guard.attempt("cy", lambda: True).outcome == ACCEPTED


def test_a_check_that_crashes_frees_its_slot(clock):
    guard = SignInGuard(ThrottlePolicy(max_concurrent_checks=1), clock)

    def broken() -> bool:
        raise RuntimeError("hash library missing")

    with pytest.raises(RuntimeError):
        guard.attempt("admin", broken)
    assert guard.attempt("admin", lambda: True).outcome == ACCEPTED


def test_memory_stays_bounded_whatever_names_are_tried(clock, checker):
    guard = SignInGuard(ThrottlePolicy(max_tracked_accounts=50, global_failures=10**6), clock)
    for n in range(500):
        guard.attempt(f"name{n}", checker("guess"))
    assert len(guard._accounts) == 50


def test_every_browser_session_of_one_server_shares_one_guard():
    reset_shared_guard()
    seen: list[SignInGuard] = []
    threads = [threading.Thread(target=lambda: seen.append(shared_guard())) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({id(guard) for guard in seen}) == 1
    reset_shared_guard()
