"""`recommender serve` as a real process on 127.0.0.1 and a free port, for tests and benchmarks.

Bounded everywhere: start-up waits at most `START_SECONDS`, and stopping sends SIGTERM, then
SIGKILL to the server's own process group only if it has not exited in time.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import httpx

START_SECONDS = 60
STOP_SECONDS = 20
LOOPBACK = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return probe.getsockname()[1]


@contextmanager
def live_server(
    env: Mapping[str, str], workdir: Path, workers: int = 1
) -> Iterator[tuple[str, Path]]:
    """Yield (base URL, log file) of a running `recommender serve`; stop it afterwards."""
    port = free_port()
    log = workdir / f"serve-{port}.log"
    command = [sys.executable, "-m", "recommender_cli.main", "serve", "--host", LOOPBACK,
               "--port", str(port), "--workers", str(workers)]  # fmt: skip
    with log.open("wb") as out:
        process = subprocess.Popen(
            command,
            cwd=workdir,
            env={**os.environ, **env},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: the workers stop with it
        )
    base = f"http://{LOOPBACK}:{port}"
    try:
        _wait_until_up(base, process, log)
        _wait_until_listening(port, workers, log)
        yield base, log
    finally:
        _stop(process)


def _wait_until_up(base: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"serve exited with {process.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(f"{base}/v1/health", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"serve did not answer within {START_SECONDS} s:\n{log.read_text()}")


def _wait_until_listening(port: int, workers: int, log: Path) -> None:
    # One worker answering is not all of them: a worker listens once it has built its engine,
    # and connections opened before then all go to the workers already listening.
    if workers == 1 or not Path("/proc/net/tcp").exists():
        return
    deadline = time.monotonic() + START_SECONDS
    while len(sockets_by_process(port, LISTENING)) < workers:
        if time.monotonic() > deadline:
            raise RuntimeError(
                f"not every worker listens within {START_SECONDS} s:\n{log.read_text()}"
            )
        time.sleep(0.1)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=STOP_SECONDS)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=STOP_SECONDS)


LISTENING = "0A"  # socket states as /proc/net/tcp writes them
ESTABLISHED = "01"


def sockets_by_process(port: int, state: str) -> dict[int, set[str]]:
    """The TCP sockets on local `port` in `state`, as inode numbers by the process holding
    them (Linux: read from /proc)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == state:
                inodes.add(fields[9])
    held: dict[int, set[str]] = {}
    for fd_dir in Path("/proc").glob("[0-9]*/fd"):
        try:
            links = {os.readlink(fd) for fd in fd_dir.iterdir()}
        except OSError:  # a process that ended, or one we may not look into
            continue
        mine = {inode for inode in inodes if f"socket:[{inode}]" in links}
        if mine:
            held[int(fd_dir.parent.name)] = mine
    return held
