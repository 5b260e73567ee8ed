"""Hostile product names in a real headless Chromium: shown as text, and nothing leaves 127.0.0.1.

Every product name and description in this catalog carries markup: a Markdown link, a Markdown
image and an HTML image on hosts that are not this machine, a script tag, bare addresses. The
browser records every request it makes while a shopper reaches results, opens a description and
the held-back list. Only the app's own server may be asked for anything.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from recommender.escaping import WORD_JOINER
from tests.browser.conftest import (
    BROWSER_TESTS,
    ROOT,
    new_page,
    next_step,
    open_finder,
    open_side_by_side,
    running_app,
    scratch_env,
    through_the_safety_check,
    wait_until_idle,
)
from tests.hostile_catalog import HOSTILE, OFF_SITE, hostile_catalog

pytestmark = BROWSER_TESTS


@pytest.fixture(scope="module")
def hostile_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("hostile")
    catalog = hostile_catalog(ROOT / "catalog", folder / "catalog")
    env = scratch_env(folder) | {"RECOMMENDER_CATALOG": str(catalog)}
    with running_app(env, folder) as url:
        yield url


def test_hostile_names_show_literally_and_no_request_leaves_the_machine(
    browser, hostile_url: str
) -> None:
    page = new_page(browser, "desktop")
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))

    open_finder(page, hostile_url)
    page.get_by_role("button", name="Knee", exact=True).click()
    page.get_by_text("Which knee?").wait_for()
    page.get_by_role("button", name="Lower back").click()
    page.get_by_text("Left", exact=True).click()
    page.get_by_text("55 to 64").click()
    next_step(page, "Step 2 of 5")
    through_the_safety_check(page)
    page.get_by_text("Both feet", exact=True).click()
    next_step(page, "Step 4 of 5")
    next_step(page, "Step 5 of 5")
    page.get_by_role("button", name="Show my matches").click()
    page.get_by_role("heading", name=re.compile(r"^1\. ")).wait_for()
    page.get_by_text("More about this product", exact=True).first.click()  # the description
    wait_until_idle(page)
    page.get_by_text(re.compile(r"^Held back, and why")).click()
    wait_until_idle(page)

    main = page.locator("[data-testid='stMain']")
    text = main.inner_text().replace(WORD_JOINER, "")  # invisible: the reader never sees it
    shown = [payload for payload in HOSTILE if payload in text]
    assert len(shown) >= 3, f"expected hostile names as text on the page, saw {shown}"
    for host in OFF_SITE:
        assert main.locator(f"a[href*='{host}'], img[src*='{host}']").count() == 0
    assert page.title() != "owned"  # the script tag in a name never ran

    # Two products side by side: their names and cells are Markdown, escaped as everywhere.
    dialog = open_side_by_side(page, 0, 1)
    for host in OFF_SITE:
        assert dialog.locator(f"a[href*='{host}'], img[src*='{host}']").count() == 0
    assert page.title() != "owned"

    origin = urlsplit(hostile_url).netloc
    elsewhere = [
        url
        for url in requested
        if urlsplit(url).scheme not in ("data", "blob") and urlsplit(url).netloc != origin
    ]
    assert requested and not elsewhere, elsewhere
