"""Page text as a reader sees it: AppTest reports the Markdown source, escapes included."""

from __future__ import annotations

import re

from recommender.escaping import WORD_JOINER

_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")


def readable(markdown: str) -> str:
    """`markdown` without the backslashes that `recommender.escaping.plain` put before
    punctuation (and the invisible word joiners that break autolinks): "SC\\-902 \\(pair\\)"
    reads "SC-902 (pair)"."""
    return _ESCAPED.sub(r"\1", markdown).replace(WORD_JOINER, "")
