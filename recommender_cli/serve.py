"""`recommender serve`: the HTTP API of SPEC section 7, served by uvicorn."""

from __future__ import annotations

import argparse
import logging.config
import os
import sys
from typing import Any

from recommender.errors import ExitCode
from recommender.settings import Settings

MAX_WORKERS = 64
APP = "recommender.api.app:create_app"


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the `serve` options to `parser`."""
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=_port, default=8000, help="port (default 8000)")
    parser.add_argument("--workers", type=_workers, default=1, help="worker processes (default 1)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """`serve`: run the HTTP API with `--workers` processes until stopped."""
    # Imported here: the other commands never pay for loading the web stack.
    import uvicorn

    from recommender.api.access_log import log_config
    from recommender.api.connections import PROTOCOL
    from recommender.api.keys import API_KEYS_SETTING, api_keys_from_env
    from recommender.api.state import WorkerState
    from recommender.api.throttle import rate_from_env
    from recommender.api.workers import check_port_free, serve_workers, spreads_connections

    # Fail before forking workers on a bad setting (a short key, a bad rate) or a store that
    # cannot be opened (a bad RECOMMENDER_DB): exit 2 naming it.
    keys = api_keys_from_env()
    rate_from_env(os.environ)
    WorkerState(settings, ()).store().close()
    if not keys:
        print(
            f"recommender: notice: {API_KEYS_SETTING} is not set; POST /v1/events refuses "
            "every request until it is",
            file=sys.stderr,
        )
    options: dict[str, Any] = {
        "factory": True,
        "log_config": log_config(),
        "server_header": False,
        "proxy_headers": False,
        # Limits on the request head and timeouts for slow or silent clients (431, 408).
        "http": PROTOCOL,
    }
    try:
        if args.workers > 1 and spreads_connections():
            logging.config.dictConfig(options["log_config"])
            return serve_workers(APP, args.host, args.port, args.workers, options)
        check_port_free(args.host, args.port)  # uvicorn's own message would be a log line, exit 1
    except OSError as error:
        print(
            f"recommender: cannot listen on {args.host}:{args.port}: {error.strerror}",
            file=sys.stderr,
        )
        return ExitCode.BAD_INPUT
    try:
        uvicorn.run(
            APP,
            host=args.host,
            port=args.port,
            workers=args.workers,
            # A worker loading pandas and the catalog on a busy machine can take more than the
            # default 5 s to answer its first health check; uvicorn would restart it in a loop.
            timeout_worker_healthcheck=60,
            **options,
        )
    except SystemExit as stop:  # uvicorn exits 3 when the app cannot start; SPEC 6 says 1
        return ExitCode.OK if stop.code in (None, 0) else ExitCode.FAILURE
    return ExitCode.OK


def _port(text: str) -> int:
    return _bounded(text, 1, 65535)


def _workers(text: str) -> int:
    return _bounded(text, 1, MAX_WORKERS)


def _bounded(text: str, low: int, high: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if not low <= value <= high:
        raise argparse.ArgumentTypeError(f"{value} is outside {low} to {high}")
    return value
