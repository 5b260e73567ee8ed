"""The staff pages in a real headless Chromium at desktop width, with screenshots.

A staff member signs in on Merchandising, finds the editors, walks over to Analytics in the
same browser tab and retrains a model on simulated feedback. The server runs on a private copy
of the catalog and a private store, so nothing here touches the real ones.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from recommender.feedback import FeedbackStore, import_feedback
from recommender.feedback.funnel import count_reached
from recommender.shop.auth import PASSWORD_HASH_ENV, hash_password
from recommender.shopper.engine import load_engine
from tests.browser.conftest import (
    BROWSER_TESTS,
    ROOT,
    WAIT_MS,
    accessibility_problems,
    new_page,
    running_app,
    shoot,
)
from training.simulate import simulate, write_simulation

pytestmark = BROWSER_TESTS

PASSWORD = "insoles-on-thursday"
# Few enough to simulate and train in seconds: the page has to show a model, trusted or not.
SESSIONS = 1500
EDITOR_TABS = ("Blend, limits, experiment", "Rule multipliers", "Products: boost and stock")
ANALYTICS_HEADINGS = (
    "Feedback over time",
    "Click rate by position",
    "Helpfulness by product",
    "Experiment arms",
    "Interleaving",
    "Shopper funnel",
    "Models",
)
TRAINING_MS = 90_000


@pytest.fixture(scope="module")
def staff_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("staff")
    catalog = folder / "catalog"
    shutil.copytree(ROOT / "catalog", catalog, ignore=shutil.ignore_patterns(".history"))
    simulated = folder / "simulated"
    feedback = simulate(load_engine(catalog), SESSIONS, seed=3, explore_share=0.3)
    write_simulation(feedback, simulated)
    db_url = f"sqlite:///{folder / 'feedback.db'}"
    with FeedbackStore.open(db_url) as store:
        import_feedback(store, simulated / "sessions.csv", simulated / "events.csv")
        for stage, shoppers in (
            ("step-1", 40),
            ("step-2", 31),
            ("step-3", 22),
            ("step-4", 21),
            ("step-5", 20),
            ("results", 18),
        ):
            for _ in range(shoppers):
                count_reached(store, stage)
    env = {
        "RECOMMENDER_CATALOG": str(catalog),
        "RECOMMENDER_DB": db_url,
        "RECOMMENDER_MODELS": str(folder / "models"),
        PASSWORD_HASH_ENV: hash_password(PASSWORD),
    }
    with running_app(env, folder) as url:
        yield url


def _sign_in(page, password: str) -> None:
    page.get_by_label("Staff password").fill(password)
    page.get_by_role("button", name="Sign in").click()


@pytest.mark.slow  # a retrain inside the page
def test_staff_signs_in_then_tunes_and_retrains(browser, staff_url: str) -> None:
    page = new_page(browser, "desktop")
    page.goto(f"{staff_url}/merchandiser")

    # The password field is the last thing drawn before a signed-out page stops.
    page.get_by_label("Staff password").wait_for()
    assert page.get_by_role("heading", name="Sign in").is_visible()
    assert page.get_by_role("tab").count() == 0  # signed out: no editor at all

    _sign_in(page, "not-the-password")
    page.get_by_text("That password is not right.").wait_for()
    assert page.get_by_role("tab").count() == 0

    _sign_in(page, PASSWORD)
    for label in EDITOR_TABS:
        page.get_by_role("tab", name=label).wait_for()
    page.get_by_text("Signed in as admin (local password).").wait_for()
    expect(page.get_by_label("Staff password")).to_have_count(0, timeout=WAIT_MS)
    # The editor draws on a canvas once its script has loaded; the canvas holds the same cells
    # as an accessibility table, so a cell there means the grid is drawn.
    grid = page.locator("[data-testid='data-grid-canvas']").first
    grid.get_by_text("Limits: max per category", exact=True).wait_for(state="attached")
    shoot(page, "merchandising-desktop.png")
    assert accessibility_problems(page) == []

    # Through the menu, as a person would: a fresh page load would start a signed-out session.
    page.locator("[data-testid='stSidebarNav']").get_by_role("link", name="Analytics").click()
    for heading in ANALYTICS_HEADINGS:
        page.get_by_role("heading", name=heading, exact=True).wait_for()
    page.get_by_text("No trained models yet: serving rules-only.").wait_for()

    page.get_by_role("button", name="Retrain now").click()
    page.get_by_text(re.compile(r"^Trained m")).wait_for(timeout=TRAINING_MS)
    page.get_by_text("Compare on").wait_for()  # drawn only under the comparison table
    page.get_by_role("button", name="Promote").wait_for()
    expect(page.get_by_text("No trained models yet")).to_have_count(0, timeout=WAIT_MS)
    # The chart opens on the corrected estimate, and says so.
    expect(page.get_by_text("snips ndcg@5 (position-corrected)").first).to_be_visible()
    page.get_by_text(
        re.compile(r"Bar chart of shoppers at each stage of the finder, from 40 at step 1")
    ).first.wait_for(state="attached")
    shoot(page, "analytics-desktop.png")
    assert accessibility_problems(page) == []
