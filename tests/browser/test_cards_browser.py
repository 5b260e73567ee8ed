"""Cards in a real headless Chromium: every card has a picture the app serves itself and a
price in pounds, the size that fits shows, and two ticked cards compare side by side."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import BROWSER_TESTS, WAIT_MS, WIDTHS, shoot, wait_until_idle

PRICE = re.compile(r"£\d+\.\d\d")

pytestmark = BROWSER_TESTS


@pytest.fixture(scope="module")
def app_url(shopper_app: tuple[str, Path]) -> str:
    return shopper_app[0]


def _knee_shopper_with_a_measurement(page) -> None:
    page.get_by_text("16 to 49").click()
    for step in (2, 3, 4, 5):
        wait_until_idle(page)  # a click while the last answer still reruns the page is lost
        page.get_by_role("button", name="Next").click()
        page.get_by_text(f"Step {step} of 5", exact=True).wait_for()
        if step == 2:
            page.get_by_role("button", name="Knee", exact=True).click()
            page.get_by_text("Which knee?").wait_for()
    knee = page.get_by_label("Around your knee (cm)")
    knee.fill("35")
    knee.press("Enter")
    page.wait_for_timeout(500)
    page.get_by_role("button", name="Show my matches").click()
    page.get_by_role("heading", name=re.compile(r"^1\. ")).wait_for()


@pytest.mark.parametrize("width", list(WIDTHS))
def test_every_card_has_its_picture_a_price_in_pounds_and_its_size(
    browser, app_url: str, width: str
) -> None:
    page = browser.new_page(viewport=WIDTHS[width])
    page.set_default_timeout(WAIT_MS)
    hosts: set[str] = set()
    page.on("request", lambda request: hosts.add(urlsplit(request.url).netloc))
    page.goto(app_url)
    page.get_by_text("Step 1 of 5", exact=True).wait_for()
    _knee_shopper_with_a_measurement(page)
    count = page.get_by_role("heading", name=re.compile(r"^\d\. ")).count()
    assert count >= 3
    pictures = page.get_by_role("img", name=re.compile("^Picture of "))
    pictures.last.wait_for()
    assert pictures.count() == count
    for index in range(count):
        loaded = pictures.nth(index).evaluate("img => img.complete && img.naturalWidth > 0")
        assert loaded, f"picture {index + 1} did not load"
    prices = page.get_by_text(PRICE)
    assert prices.count() >= count
    assert page.get_by_text("Your size: M").first.is_visible()
    assert hosts == {urlsplit(app_url).netloc}  # pictures come from the app itself
    shoot(page, f"cards-{width}.png")
    if width == "desktop":
        page.get_by_text("Compare", exact=True).nth(0).click()
        page.wait_for_timeout(500)
        page.get_by_text("Compare", exact=True).nth(1).click()
        page.get_by_role("heading", name="Side by side").wait_for()
        page.get_by_role("heading", name="Side by side").scroll_into_view_if_needed()
        page.get_by_role("cell", name="Support level").or_(
            page.get_by_role("rowheader", name="Support level")
        ).first.wait_for()
        shoot(page, "compare-desktop.png")
    page.close()
