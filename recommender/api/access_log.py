"""uvicorn's logging for the API: access lines carry no answers, query strings or addresses.

A request's answers travel in its body, which uvicorn never logs; what remains to strip is the
query string (a link can carry answers, SPEC section 9) and the client's address, which is
personal data. Each access line is reduced to the method, the bare path and the status.
"""

from __future__ import annotations

import logging
from typing import Any


class PrivateAccess(logging.Filter):
    """Rewrites uvicorn's access record `(client, method, path, http, status)` in place."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Keep the record, with the query string cut from its path (answers never reach the log)."""
        args = record.args
        if isinstance(args, tuple) and len(args) == 5:
            _client, method, path, _http, status = args
            record.msg = '"%s %s" %s'
            record.args = (method, str(path).split("?", 1)[0], status)
        return True


def log_config() -> dict[str, Any]:
    """A `logging.config.dictConfig` for uvicorn (each worker applies it at start)."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"private_access": {"()": f"{__name__}.PrivateAccess"}},
        "formatters": {
            "default": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
            "access": {"format": "%(asctime)s access %(message)s"},
        },
        "handlers": {
            "default": {
                "class": "logging.StreamHandler",
                "formatter": "default",
                "stream": "ext://sys.stderr",
            },
            "access": {
                "class": "logging.StreamHandler",
                "formatter": "access",
                "filters": ["private_access"],
                "stream": "ext://sys.stdout",
            },
        },
        "loggers": {
            "uvicorn": {"handlers": ["default"], "level": "INFO", "propagate": False},
            "uvicorn.error": {"level": "INFO"},
            "uvicorn.access": {"handlers": ["access"], "level": "INFO", "propagate": False},
            "recommender": {"handlers": ["default"], "level": "INFO", "propagate": False},
        },
    }
