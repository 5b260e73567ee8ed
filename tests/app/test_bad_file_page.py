"""A merchandiser breaks weights.toml, or registry.json is damaged, while shoppers search: the
shopper page keeps showing products from the last good files, with no traceback."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import streamlit as st
from shopper_flow import card_titles, knee_and_back_shopper
from streamlit.testing.v1 import AppTest

from recommender.shop.last_good import forget_last_good
from recommender.shop.shopping import MODEL_PAUSED
from tests.app.conftest import APP, ROOT, TIMEOUT


@pytest.fixture
def catalog_dir(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "catalog"
    shutil.copytree(ROOT / "catalog", directory, ignore=shutil.ignore_patterns(".history"))
    monkeypatch.setenv("RECOMMENDER_CATALOG", str(directory))
    forget_last_good()
    st.cache_resource.clear()
    yield directory
    forget_last_good()
    st.cache_resource.clear()


def shopper_search() -> AppTest:
    """A new shopper's visit, in the same server process as the earlier ones."""
    return knee_and_back_shopper(AppTest.from_file(str(APP), default_timeout=TIMEOUT).run())


def page_text(at: AppTest) -> str:
    parts = [m.value for m in (*at.markdown, *at.caption, *at.info, *at.warning, *at.error)]
    return "\n".join(parts)


def test_a_broken_weights_file_leaves_the_shopper_with_the_same_products(catalog_dir):
    before = card_titles(shopper_search())
    weights = catalog_dir / "weights.toml"
    weights.write_text(weights.read_text().replace("rules = 1.0", "rules = 5.0"))

    after = shopper_search()

    assert not after.exception
    assert card_titles(after) == before and before
    assert "CatalogError" not in page_text(after) and MODEL_PAUSED not in page_text(after)


@pytest.mark.parametrize("state", ["[1]", '{"promoted": 5}'])
def test_a_damaged_registry_leaves_the_shopper_with_rules_only_products(catalog_dir, state):
    models = Path(os.environ["RECOMMENDER_MODELS"])
    models.mkdir(parents=True, exist_ok=True)
    (models / "registry.json").write_text(state)

    at = shopper_search()

    assert not at.exception
    assert card_titles(at)
