"""Text from data files, shown on a page exactly as written: never as markup.

Streamlit renders Markdown (plus its own `:color[...]`, `:material/...:` and `$math$`
extensions) in `st.markdown`, `st.write`, captions, alerts and every widget label. A product
name such as `![x](http://elsewhere/pixel.png)` would otherwise make each shopper's browser
fetch a remote image, and `[deal](http://elsewhere)` would put an off-site link on our page.

`plain` backslash-escapes every ASCII punctuation character: CommonMark defines a backslash
before any of them as "this character, literally", so links, images, emphasis, headings, lists,
tables, raw HTML and entities all come out as the characters typed. Whitespace runs (newlines
included) become one space, so a value can never start a new block such as a heading or a code
block. Control characters are dropped: they have no honest use in a product name.

Escapes do not stop GitHub-flavoured Markdown's *autolinks*: Streamlit's renderer turns any
`http://...`, `www....` or `name@host` left in the text into a link after parsing. An invisible
word joiner (U+2060) inside the trigger (`http\u2060://`, `www\u2060.`, `@\u2060`) breaks the
pattern without changing what anyone reads. The browser test proves it in Chromium.

Escape once, at the point of display: the package keeps raw text everywhere else (CSV, JSON,
the audit log), because escaping is about one rendering, not about the data.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Iterable

_PUNCTUATION = re.compile("([" + re.escape(string.punctuation) + "])")
_WHITESPACE = re.compile(r"\s+")
WORD_JOINER = "\u2060"
# What remark-gfm links on its own: a scheme before ":", "www" before ".", and e-mail's "@".
_AUTOLINK_TRIGGER = re.compile(r"(?i)(https?|ftp|mailto|xmpp)(?=:)|(www)(?=\.)|(@)")


def plain(value: object) -> str:
    """`value` as text that any Markdown-rendering Streamlit element shows literally."""
    text = _WHITESPACE.sub(" ", str(value))
    # Categories Cc (controls) and Cf (format: bidi overrides, zero-width joiners) can make
    # text read differently from what it is; tabs and newlines are already spaces here.
    text = "".join(ch for ch in text if unicodedata.category(ch) not in ("Cc", "Cf"))
    text = _AUTOLINK_TRIGGER.sub(lambda match: match.group(0) + WORD_JOINER, text.strip())
    return _PUNCTUATION.sub(r"\\\1", text)


def plain_bullets(lines: Iterable[object]) -> str:
    """A Markdown bullet list whose every line is shown literally."""
    return "\n".join(f"- {plain(line)}" for line in lines)
