"""The finder in a real headless Chromium, at phone and desktop widths, with screenshots.

The screenshots land in docs/screenshots/ (with UPDATE_SCREENSHOTS=1) for people to look at; the
test itself asserts what a shopper would notice: ranked cards after the questions, and no products after a red flag.
"""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import (
    BROWSER_TESTS,
    SHOTS,
    WIDTHS,
    next_step,
    open_finder,
    reused_tab,
    shoot,
    through_the_safety_check,
    wait_until_idle,
)

pytestmark = BROWSER_TESTS


@pytest.fixture(scope="module")
def app_url(finder_app) -> str:
    return finder_app[0]


def _open(browser, tabs, app_url: str, width: str):
    return open_finder(reused_tab(tabs, browser, width), app_url)


@pytest.mark.parametrize("width", list(WIDTHS))
def test_shopper_answers_and_sees_ranked_cards(browser, tabs, app_url: str, width: str) -> None:
    page = _open(browser, tabs, app_url, width)
    page.get_by_role("button", name="Knee", exact=True).click()
    page.get_by_text("Which knee?").wait_for()
    page.get_by_role("button", name="Lower back").click()
    page.get_by_text("Do your back and knee hurt at the same time?").wait_for()
    page.get_by_text("Left", exact=True).click()
    page.get_by_text("55 to 64").click()
    shoot(page, f"questionnaire-{width}.png")
    next_step(page, "Step 2 of 5")
    shoot(page, f"questionnaire-step2-{width}.png")  # the safety check, first screen
    through_the_safety_check(page)
    page.get_by_text("Both feet", exact=True).click()
    next_step(page, "Step 4 of 5")
    next_step(page, "Step 5 of 5")
    page.get_by_role("button", name="Show my matches").click()
    first_card = page.get_by_role("heading", name=re.compile(r"^1\. "))
    first_card.wait_for()
    assert page.get_by_role("heading", name=re.compile(r"^2\. ")).is_visible()
    assert page.get_by_text("Because you told us").first.is_visible()
    shoot(page, f"results-{width}.png")
    if width == "phone":  # the score parts, opened on the narrowest screen
        page.get_by_text("More about this product", exact=True).first.click()
        parts = page.get_by_text("Your answers:").first
        parts.wait_for()
        parts.scroll_into_view_if_needed()
        page.screenshot(path=SHOTS / "why-this-order-phone.png")


@pytest.mark.parametrize("width", list(WIDTHS))
def test_red_flag_stops_with_no_products(browser, tabs, app_url: str, width: str) -> None:
    page = _open(browser, tabs, app_url, width)
    page.get_by_role("button", name="Knee", exact=True).click()
    next_step(page, "Step 2 of 5")
    while not page.get_by_text("One calf is painful, swollen, warm or red").is_visible():
        page.get_by_role("button", name="Next").click()
        wait_until_idle(page)
    page.get_by_text("One calf is painful, swollen, warm or red").click()
    wait_until_idle(page)
    page.get_by_role("button", name="Next").click()
    page.get_by_role("heading", name="Please see a doctor today").wait_for()
    assert page.get_by_role("button", name="Add to cart").count() == 0
    shoot(page, f"red-flag-stop-{width}.png")
