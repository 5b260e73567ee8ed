"""Several uvicorn worker processes, each with its own listening socket on one port.

uvicorn's own `--workers` binds one socket in the parent and every worker accepts from it. Linux
wakes the most recently waiting worker first, so a busy worker keeps winning new connections:
16 keep-alive connections from a shop's servers were seen all on one worker of two, which then
served at one core's speed while the other idled. Here each worker binds its own socket with
SO_REUSEPORT, and the kernel spreads new connections over the workers' sockets by their
addresses. The parent holds the port too (bound, never listening, so it is given no
connections), restarts a worker that dies (backing off while replacements keep dying soon
after they start), and stops them all on SIGINT or SIGTERM.

Where SO_REUSEPORT does not exist, `serve` keeps uvicorn's own way (see `spreads_connections`).
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import socket
import threading
import time
from collections.abc import Callable
from multiprocessing.process import BaseProcess
from typing import Any

import uvicorn
from uvicorn.config import STARTUP_FAILURE

from recommender.errors import ExitCode

# How often the parent looks for a worker that has died, and how long a stopping one may take.
WATCH_SECONDS = 0.5
STOP_SECONDS = 20
# A worker that lived this long died of something new: its replacement starts at once.
STEADY_SECONDS = 30.0
MAX_BACKOFF_SECONDS = 30.0
logger = logging.getLogger(__name__)


def spreads_connections() -> bool:
    """Whether this system can give each worker its own socket on a shared port."""
    return hasattr(socket, "SO_REUSEPORT")


def port_socket(host: str, port: int, shared: bool = True) -> socket.socket:
    """A TCP socket bound to host:port; `shared`: other shared sockets of this user may bind
    the port too. OSError if the port is taken."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        # SO_REUSEADDR: connections of a server stopped a moment ago do not hold the port.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if shared:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


def check_port_free(host: str, port: int) -> None:
    """OSError if anything listens on host:port already.

    The kernel lets any process of the same user join a shared port, so a second `serve` on the
    same port would quietly split the traffic with this one: a plain bind is tried first.
    """
    port_socket(host, port, shared=False).close()


def serve_workers(app: str, host: str, port: int, workers: int, options: dict[str, Any]) -> int:
    """Run `workers` processes serving `app` (uvicorn.Config `options`) until a stop signal;
    returns the exit status (SPEC 6: 1 when a worker cannot start). OSError when the port
    cannot be bound."""
    check_port_free(host, port)  # fails here, before any worker starts, if the port is taken
    holder = port_socket(host, port)
    stopping = threading.Event()
    for stop_signal in (signal.SIGINT, signal.SIGTERM):
        signal.signal(stop_signal, lambda *_: stopping.set())
    spawn = multiprocessing.get_context("spawn")
    arguments = (app, host, port, options)

    def start() -> BaseProcess:
        process = spawn.Process(target=_worker, args=arguments, name="recommender-api-worker")
        process.start()
        return process

    running = [start() for _ in range(workers)]
    restarts = [RestartBackoff() for _ in range(workers)]
    logger.info(
        "serving http://%s:%s with %d workers, each with its own socket", host, port, workers
    )
    status: int = ExitCode.OK
    try:
        while not stopping.wait(WATCH_SECONDS):
            for slot, process in enumerate(running):
                if process.is_alive():
                    continue
                if process.exitcode == STARTUP_FAILURE:  # a restart would fail the same way
                    logger.error("a worker could not start; stopping")
                    status = ExitCode.FAILURE
                    stopping.set()
                    break
                if restarts[slot].due(process):
                    running[slot] = start()
    finally:
        _stop(running)
        holder.close()
    return status


class RestartBackoff:
    """When to start another worker in one slot: at once after a worker that ran a while, and
    ever later (1, 2, 4 ... up to `MAX_BACKOFF_SECONDS`) while each new one dies within
    `STEADY_SECONDS`, so a worker that crashes on every request (or at start) is not restarted
    in a tight loop that keeps a core busy and the port refusing."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._started = clock()
        self._quick_deaths = 0
        self._restart_at: float | None = None

    def due(self, dead: BaseProcess) -> bool:
        """Whether the dead worker's slot may start another now (logs the first time it looks)."""
        now = self._clock()
        if self._restart_at is None:
            ran = now - self._started
            self._quick_deaths = self._quick_deaths + 1 if ran < STEADY_SECONDS else 0
            wait = min(MAX_BACKOFF_SECONDS, 2.0 ** (self._quick_deaths - 1))
            wait = wait if self._quick_deaths else 0.0
            self._restart_at = now + wait
            logger.warning(
                "worker %s exited (%s) after %.0f s; starting another in %.0f s",
                dead.pid, dead.exitcode, ran, wait,
            )  # fmt: skip
        if now < self._restart_at:
            return False
        self._restart_at, self._started = None, now
        return True


def _stop(running: list[BaseProcess]) -> None:
    for process in running:
        if process.is_alive():
            process.terminate()  # SIGTERM: uvicorn finishes the requests it has, then exits
    for process in running:
        process.join(STOP_SECONDS)
        if process.is_alive():
            process.kill()
            process.join(STOP_SECONDS)


def _worker(app: str, host: str, port: int, options: dict[str, Any]) -> None:
    # Bound now, listening only once uvicorn has loaded the app and built its engine: until
    # then the kernel gives this worker no connections to keep waiting.
    sock = port_socket(host, port)
    uvicorn.Server(uvicorn.Config(app, **options)).run(sockets=[sock])
