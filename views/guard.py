"""The last line of defence for every page: a failure is logged here, never shown as a traceback.

`client.showErrorDetails = "none"` in .streamlit/config.toml already keeps tracebacks out of
the browser; this guard also replaces Streamlit's generic box with a calm sentence and a short
reference that staff can find in the server log.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

PAGE_FAILED = (
    "Sorry, something went wrong on our side and this page could not be shown. "
    "Your answers are not lost: please try again in a few minutes."
)
logger = logging.getLogger(__name__)


@contextmanager
def calm_errors() -> Iterator[None]:
    """Run a page; an unexpected exception goes to the server log and the visitor reads a plain
    message. `st.stop()` and `st.rerun()` are not errors (Streamlit signals them with
    BaseException subclasses) and pass straight through."""
    try:
        yield
    except Exception:
        reference = secrets.token_hex(4)
        logger.exception("page failed (reference %s)", reference)
        st.error(PAGE_FAILED, icon=":material/error:")
        st.caption(f"Reference for our team: {reference}")
