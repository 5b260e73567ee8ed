"""What a shopper's browser is given when the data is hostile or the page breaks.

Hostile product names must reach the page as text, never as links, images or HTML; a failing
page must show a calm sentence, never a traceback or a server path.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from markdown_it import MarkdownIt
from shopper_flow import card_titles, knee_and_back_shopper
from streamlit.testing.v1 import AppTest

from tests.app.conftest import APP, ROOT, TIMEOUT
from tests.hostile_catalog import HOSTILE, OFF_SITE, hostile_catalog
from tests.readable import readable
from views.guard import PAGE_FAILED
from views.loading import NO_CATALOG

# The CommonMark core Streamlit's front end renders with, plus the GFM parts it enables.
_renderer = MarkdownIt("commonmark").enable(["table", "strikethrough"])


def _fresh_app() -> Iterator[AppTest]:
    st.cache_data.clear()
    st.cache_resource.clear()
    yield AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def hostile_app(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    catalog = hostile_catalog(ROOT / "catalog", tmp_path / "hostile")
    monkeypatch.setenv("RECOMMENDER_CATALOG", str(catalog))
    yield from _fresh_app()


def _everything_rendered_as_markdown(app: AppTest) -> list[str]:
    kinds = (
        "markdown",
        "caption",
        "title",
        "header",
        "subheader",
        "error",
        "warning",
        "info",
        "success",
    )
    texts = [element.value for kind in kinds for element in getattr(app, kind)]
    return texts + [expander.label for expander in app.expander]


def test_hostile_product_names_reach_the_shopper_as_plain_text(hostile_app: AppTest) -> None:
    app = knee_and_back_shopper(hostile_app)
    titles = card_titles(app)
    assert titles
    first_sku = next(b.key for b in app.button if b.key.startswith("add_to_cart_")).split("_")[-1]
    app.session_state[f"details_{first_sku}"] = True  # the description, too
    app.run()
    shown = _everything_rendered_as_markdown(app)
    held = [text for text in shown if readable(text).startswith("- **")]
    assert held, "the out-of-stock products are listed as held back"

    for text in shown:
        rendered = _renderer.render(text)
        assert "<a " not in rendered and "<img" not in rendered and "<script" not in rendered
        assert not any(
            f"{host}/" in attribute for host in OFF_SITE for attribute in _hrefs(rendered)
        )
    # ... and the shopper reads each name exactly as the catalog spells it.
    payloads_on_cards = [p for p in HOSTILE if any(p in readable(t) for t in titles)]
    assert payloads_on_cards
    assert any(p in readable(text) for text in held for p in HOSTILE)
    assert any(p in readable(text) for text in shown for p in HOSTILE if "description" not in p)


def _hrefs(rendered_html: str) -> list[str]:
    return [part.split('"', 1)[0] for part in rendered_html.split('src="')[1:]] + [
        part.split('"', 1)[0] for part in rendered_html.split('href="')[1:]
    ]


def test_a_page_that_fails_shows_a_calm_message_and_no_traceback(
    app: AppTest, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args, **kwargs):
        raise RuntimeError("cannot open /srv/shop/secret/products.csv")

    monkeypatch.setattr("recommender.shop.shopping.find_products", broken)
    app.pills(key="q_pain_areas").set_value(["knee"]).run()
    while app.button(key="next").label != "Show my matches":
        app.button(key="next").click().run()
    app.button(key="next").click().run()
    assert not app.exception  # nothing reaches Streamlit's own error box
    assert [error.value for error in app.error] == [PAGE_FAILED]
    page_text = "\n".join(_everything_rendered_as_markdown(app))
    for leak in ("RuntimeError", "Traceback", "/srv/shop", "products.csv", ".py"):
        assert leak not in page_text


def test_a_broken_catalog_folder_shows_the_calm_message(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = tmp_path / "catalog"
    broken.mkdir()
    (broken / "products.csv").mkdir()  # a folder where the product table should be
    monkeypatch.setenv("RECOMMENDER_CATALOG", str(broken))
    for app in _fresh_app():
        app.radio(key="q_age_band").set_value("55_64").run()
        app.button(key="next").click().run()
        assert not app.exception
        page_text = "\n".join(_everything_rendered_as_markdown(app))
        # The engine loader's own calm message: the shop has no catalog to fall back on.
        assert NO_CATALOG in page_text
        assert str(tmp_path) not in page_text and "Error" not in page_text


def test_the_server_is_configured_to_send_no_error_details_to_browsers() -> None:
    import tomllib

    from streamlit.config import ShowErrorDetailsConfigOptions as Options

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    value = config["client"]["showErrorDetails"]
    # `false` is accepted but means "stacktrace" in Streamlit 1.50+: tracebacks still show.
    assert value == Options.NONE.value
