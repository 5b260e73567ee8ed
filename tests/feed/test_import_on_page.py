"""A merchandiser sees a feed import among the saved versions and rolls it back from the page."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from recommender.merchandising.proposals import current_state
from tests.feed.conftest import EXAMPLES, MAPPING, REPO

PAGE = REPO / "views" / "merchandiser.py"


def test_an_import_is_listed_on_the_page_and_rolls_back_from_there(catalog_dir, cli):
    original = current_state(catalog_dir)
    feed = EXAMPLES / "merchant-center.xml"
    code, _, err = cli("catalog", "import-feed", feed, "--mapping", MAPPING, "--who", "mo")
    assert code == 0, err
    app = AppTest.from_file(str(PAGE), default_timeout=60)
    app.secrets.update({"test": "isolated"})
    app.session_state["signin_user"] = "ana"
    app.session_state["signin_roles"] = ("merchandiser",)
    app.run()
    versions = next(f.value for f in app.dataframe if "version" in f.value.columns)
    latest = versions.iloc[0]
    assert (latest["version"], latest["who"], latest["what"]) == (2, "mo", "import")
    assert "imported merchant-center.xml: 48 products, 110 sizes" in latest["note"]
    choice = next(box for box in app.selectbox if box.key.startswith("merch_rollback_to"))
    choice.select(1).run()
    preview = app.expander[-2]
    changes = preview.dataframe[0].value
    assert "Size charts" in set(changes["what"])  # rolling back restores the sizes too
    next(b for b in app.button if b.key == "merch_rollback").click().run()
    assert current_state(catalog_dir) == original  # the bundled sizes.csv back too
