"""Cards in a real headless Chromium: every card has a picture the app serves itself and a
price in pounds, the size that fits shows, and two ticked cards compare side by side."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import (
    BROWSER_TESTS,
    SHOTS,
    WIDTHS,
    accessibility_problems,
    new_page,
    next_step,
    open_finder,
    open_side_by_side,
    shoot,
    through_the_safety_check,
    wait_until_idle,
)

PRICE = re.compile(r"£\d+\.\d\d")

pytestmark = BROWSER_TESTS


@pytest.fixture(scope="module")
def app_url(finder_app) -> str:
    return finder_app[0]


def _knee_shopper_with_a_measurement(page) -> None:
    page.get_by_role("button", name="Knee", exact=True).click()
    page.get_by_text("Which knee?").wait_for()
    page.get_by_text("16 to 49").click()
    next_step(page, "Step 2 of 5")
    through_the_safety_check(page)
    for step in (4, 5):
        next_step(page, f"Step {step} of 5")
    knee = page.get_by_label("Around your knee (cm)")
    knee.fill("35")
    knee.press("Enter")
    wait_until_idle(page)  # the run the Enter asked for, with the measurement in it
    page.get_by_role("button", name="Show my matches").click()
    page.get_by_role("heading", name=re.compile(r"^1\. ")).wait_for()
    wait_until_idle(page)  # every card drawn, not only the first


@pytest.mark.parametrize("width", list(WIDTHS))
def test_every_card_has_its_picture_a_price_in_pounds_and_its_size(
    browser, app_url: str, width: str
) -> None:
    page = new_page(browser, width)
    hosts: set[str] = set()
    page.on("request", lambda request: hosts.add(urlsplit(request.url).netloc))
    open_finder(page, app_url)
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
    assert accessibility_problems(page) == []
    shoot(page, f"cards-{width}.png")
    dialog = open_side_by_side(page, 0, 1)
    assert dialog.get_by_role("img", name=re.compile("^Picture of ")).count() == 2
    assert accessibility_problems(page) == []
    page.screenshot(path=SHOTS / f"compare-{width}.png")
    page.close()
