"""Shareable links, phone-first layout and keyboard use, in a real headless Chromium.

A shopper opens a link a friend sent, reloads, presses the browser's Back button, follows a
link with a warning sign or a typo in it, and goes through the whole finder with the keyboard
alone; axe-core checks each page for serious accessibility problems, at 390 and 1280 px.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from recommender.shopper.answers import LIST_CHOICES
from tests.browser.conftest import (
    BROWSER_TESTS,
    WIDTHS,
    accessibility_problems,
    reused_tab,
    shoot,
    wait_until_idle,
)

PAIN_AREAS = LIST_CHOICES["pain_areas"]
SHARED = "/?pain_areas=knee,lower_back&bunions=both&habits=slouching&red_flags=none"
FIRST_CARD = re.compile(r"^1\. ")
# What the focused element is, in words: its label, accessible name or text.
FOCUSED = """() => {
  const e = document.activeElement;
  const label = e && e.closest("label");
  return ((label && label.textContent) || e.getAttribute("aria-label") || e.textContent || "")
    .trim().slice(0, 80);
}"""

pytestmark = BROWSER_TESTS
# For a test of what a link does or holds, not of how the page is laid out: the one width,
# the phone's (the layout tests below run at both).
PHONE_ONLY = pytest.mark.parametrize("page", ["phone"], indirect=True)


@pytest.fixture(scope="module")
def served(finder_app) -> tuple[str, Path]:
    return finder_app


@pytest.fixture(params=list(WIDTHS))
def page(request, browser, tabs, served):
    page = reused_tab(tabs, browser, request.param)
    page.width_name = request.param
    return page


def _url(served: tuple[str, Path], path: str = "/") -> str:
    return served[0] + path


def _first_card_in_view(page) -> bool:
    card = page.get_by_role("heading", name=FIRST_CARD)
    card.wait_for()
    wait_until_idle(page)
    box = card.bounding_box()
    return (
        box is not None
        and box["y"] >= 0
        and box["y"] + box["height"] <= page.viewport_size["height"]
    )


def _scrolled_to_top(page) -> bool:
    return page.evaluate(
        "document.querySelector('[data-testid=stMain]').scrollTop === 0 && window.scrollY === 0"
    )


def _tab_to(page, text: str, *, backwards: bool = False, limit: int = 60) -> None:
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        if text in page.evaluate(FOCUSED):
            return
    raise AssertionError(f"Tab never reached {text!r}")


def test_a_shared_link_opens_the_results_at_the_top_and_a_reload_keeps_them(page, served) -> None:
    page.goto(_url(served, SHARED))
    page.get_by_role("heading", name="Your matches").wait_for()
    assert _first_card_in_view(page)  # product #1 visible without scrolling, phone included
    assert _scrolled_to_top(page)
    first = page.get_by_role("heading", name=FIRST_CARD).inner_text()
    page.wait_for_url(re.compile(r"step=results"))  # the place is in the address now
    assert accessibility_problems(page) == []
    shoot(page, f"shared-link-results-{page.width_name}.png")
    page.reload()
    page.get_by_role("heading", name="Your matches").wait_for()
    assert page.get_by_role("heading", name=FIRST_CARD).inner_text() == first
    # The server's log never records the answers a shared link carries.
    log = (served[1] / "streamlit.log").read_text()
    assert "pain_areas" not in log and "lower_back" not in log


def test_a_red_flag_link_shows_the_safety_stop(page, served) -> None:
    page.goto(_url(served, "/?red_flags=calf_swelling&pain_areas=knee"))
    page.get_by_role("heading", name="Please see a doctor today").wait_for()
    assert page.get_by_role("heading", name=FIRST_CARD).count() == 0
    assert accessibility_problems(page) == []


@PHONE_ONLY
def test_a_link_with_no_safety_answers_asks_them_first(page, served) -> None:
    page.goto(_url(served, "/?pain_areas=knee"))
    page.get_by_text("Step 2 of 5", exact=True).wait_for()
    page.get_by_text("Numbness around the genitals, buttocks or inner thighs").wait_for()
    # Next through each screen of warning signs; a click that lands while the page is still
    # redrawing (a busy machine) is tried again, so the loop allows a few more than the screens.
    for _ in range(8):
        wait_until_idle(page)
        if page.get_by_role("heading", name="Your matches").count():
            break
        page.get_by_role("button", name="Next").click()
    page.get_by_role("heading", name="Your matches").wait_for()


def test_a_bad_link_names_the_mistake_in_words_and_keeps_the_valid_answers(page, served) -> None:
    page.goto(_url(served, "/?red_flags=none&pain_areas=knee,foo&knee_side=left"))
    page.get_by_text("Step 1 of 5", exact=True).wait_for()
    page.get_by_text("(where it hurts: 'foo'). The rest is kept.").wait_for()
    assert page.get_by_role("button", name="Knee", exact=True).get_attribute("aria-pressed") == (
        "true"
    )
    assert page.get_by_role("radio", name="Left").is_checked()
    assert page.get_by_text("Traceback").count() == 0
    assert accessibility_problems(page) == []
    shoot(page, f"bad-link-{page.width_name}.png")


def test_a_link_with_a_measurement_fills_its_box_on_the_last_step(page, served) -> None:
    page.goto(_url(served, "/?red_flags=none&pain_areas=knee&knee_cm=38&step=5"))
    page.get_by_text("Step 5 of 5", exact=True).wait_for()
    wait_until_idle(page)
    assert float(page.get_by_label("Around your knee (cm)").input_value()) == 38
    assert page.get_by_label("Around your thigh (cm)").input_value() == ""
    shoot(page, f"questionnaire-step5-{page.width_name}.png")


def test_keyboard_alone_completes_the_finder_and_back_returns_step_by_step(page, served) -> None:
    page.goto(_url(served))
    page.get_by_text("Step 1 of 5", exact=True).wait_for()
    assert accessibility_problems(page) == []
    assert not page.get_by_text("Keyboard: Tab and Shift+Tab").is_visible()  # no keys used yet
    _tab_to(page, "Knee")
    page.keyboard.press("Space")
    page.get_by_text("Which knee?").wait_for()
    wait_until_idle(page)
    assert page.get_by_text("Keyboard: Tab and Shift+Tab").is_visible()  # the keys are in use
    _tab_to(page, "Under 16")
    page.keyboard.press("ArrowRight")  # the hint on the page says so
    page.get_by_text("16 to 49").wait_for()
    assert accessibility_problems(page) == []
    _tab_to(page, "Next")
    page.keyboard.press("Enter")
    page.get_by_text("Step 2 of 5", exact=True).wait_for()
    wait_until_idle(page)
    assert page.evaluate(FOCUSED) == "Safety check"  # focus moved to the new step's heading
    assert page.locator("#finder-announcer").inner_text() == "Step 2 of 5: Safety check"
    screens = 0
    while not page.get_by_text("Step 3 of 5", exact=True).is_visible():
        boxes = page.locator("[data-testid='stCheckbox']").count()
        assert 0 < boxes <= 8
        assert accessibility_problems(page) == []
        if screens == 0:
            shoot(page, f"safety-screen-keyboard-{page.width_name}.png")
        _tab_to(page, "Next")
        page.keyboard.press("Enter")
        wait_until_idle(page)
        screens += 1
    assert screens == 3  # a knee: back and nerves, injuries and joints, feeling unwell
    for step in (4, 5):
        _tab_to(page, "Next")
        page.keyboard.press("Enter")
        page.get_by_text(f"Step {step} of 5", exact=True).wait_for()
        wait_until_idle(page)
        assert _scrolled_to_top(page)
    _tab_to(page, "Show my matches")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Your matches").wait_for()
    assert _first_card_in_view(page) and _scrolled_to_top(page)
    assert page.evaluate(FOCUSED) == "Your matches"
    page.go_back()
    page.get_by_text("Step 5 of 5", exact=True).wait_for()
    page.go_back()
    page.get_by_text("Step 4 of 5", exact=True).wait_for()
    page.go_forward()
    page.get_by_text("Step 5 of 5", exact=True).wait_for()


def test_the_first_screen_asks_where_it_hurts_with_tiles_the_keyboard_picks_like_a_list(
    page, served
) -> None:
    page.goto(_url(served))
    page.get_by_text("Step 1 of 5", exact=True).wait_for()
    wait_until_idle(page)
    # No wall of warning boxes first, even on a phone: where it hurts.
    assert page.locator("[data-testid='stCheckbox']").count() <= 8
    assert page.get_by_role("heading", name="Where it hurts").is_visible()
    shoot(page, f"first-screen-{page.width_name}.png")
    tiles = page.get_by_role("toolbar", name="Where do you feel pain?").get_by_role("button")
    assert tiles.count() == len(PAIN_AREAS)
    rows = set()
    for index, area in enumerate(PAIN_AREAS):
        tile = tiles.nth(index)
        picture = tile.evaluate("(b) => getComputedStyle(b).backgroundImage")
        assert f"title%3E{area}%3C" in picture, f"tile {index + 1} shows the {area} drawing"
        box = tile.bounding_box()
        assert box is not None and box["height"] >= 100 and box["width"] >= 96
        rows.add(round(box["y"]))
    assert len(rows) <= 2  # a grid of tiles, not a tall list, even on a phone
    # The tiles are the same named toggle buttons as before: Tab, arrows and Space pick them.
    _tab_to(page, "Knee")
    page.keyboard.press("Space")
    page.get_by_text("Which knee?").wait_for()
    wait_until_idle(page)
    _tab_to(page, "Knee")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Space")
    wait_until_idle(page)
    pressed = [tiles.nth(i).get_attribute("aria-pressed") for i in range(len(PAIN_AREAS))]
    assert pressed[:2] == ["true", "true"] and set(pressed[2:]) == {"false"}
    assert accessibility_problems(page) == []
    shoot(page, f"area-tiles-{page.width_name}.png")


def test_focus_is_visible_and_tap_targets_are_big_enough(page, served) -> None:
    page.goto(_url(served, "/?step=2"))
    page.get_by_text("Step 2 of 5", exact=True).wait_for()
    wait_until_idle(page)
    _tab_to(page, "Numbness around the genitals")
    ring = page.evaluate(
        """() => { const l = document.activeElement.closest("label");
        const s = getComputedStyle(l); return [s.outlineStyle, s.outlineWidth, s.outlineColor]; }"""
    )
    assert ring == ["solid", "3px", "rgb(31, 111, 139)"]  # #1f6f8b: 5.6:1 against white
    heights = page.evaluate(
        """() => [...document.querySelectorAll('[data-testid="stCheckbox"] label, button')]
        .filter((e) => e.offsetParent !== null).map((e) => e.getBoundingClientRect().height)"""
    )
    assert heights and min(heights) >= 44


@PHONE_ONLY
def test_shoppers_see_no_staff_menu_but_staff_can_sign_in_by_link(page, served) -> None:
    page.goto(_url(served))
    page.get_by_text("Step 1 of 5", exact=True).wait_for()
    wait_until_idle(page)
    assert page.locator("[data-testid='stSidebarNav']").count() == 0
    assert page.get_by_role("link", name="Merchandising").count() == 0
    assert page.get_by_role("link", name="Analytics").count() == 0
    page.get_by_role("link", name="Staff sign-in").click()
    page.get_by_role("heading", name="Sign in").wait_for()
    assert page.get_by_text("recommender admin").count() == 0
