"""A merchandiser breaks a file by hand while shoppers are searching: the shop stays up.

SPEC section 3: a bad weights.toml is refused whole and the last good weights stay in force.
Staff see a notice naming the problem; shoppers keep getting the same results.
"""

from __future__ import annotations

import json
import shutil
import tomllib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recommender.catalog.validation import CATALOG_NOTICE
from recommender.catalog.weights import Weights, load_weights
from recommender.errors import CatalogError
from recommender.merchandising.history import history
from recommender.merchandising.proposals import current_state, propose
from recommender.merchandising.weights_store import save_proposal
from recommender.shop.last_good import forget_last_good, load_serving_engine
from recommender.shop.shopping import MODEL_PAUSED, shopper_notes
from recommender.shopper.answers import parse_answers
from recommender.shopper.rules import load_rule_book
from recommender_cli.main import main
from tests.conftest import CATALOG_DIR
from tests.strategies import raw_answers

KNEE_RUNNER = parse_answers({"pain_areas": ["knee"], "activities": ["running"]})


def break_weights(catalog_dir: Path, how: str) -> None:
    path = catalog_dir / "weights.toml"
    if how == "rules = 5.0":
        path.write_text(path.read_text().replace("rules = 1.0", "rules = 5.0"))
    elif how == "broken TOML":
        path.write_text("[blend\nrules = ")
    elif how == "nested 5,000 deep":
        path.write_text("deep = " + "[" * 5000 + "]" * 5000 + "\n")
    elif how == "a directory":
        path.unlink()
        path.mkdir()
    assert how != "rules = 5.0" or "rules = 5.0" in path.read_text()


def skus(engine) -> list[str]:
    return [item.sku for item in engine.recommend(KNEE_RUNNER).items]


def boosted_save(catalog_dir: Path, sku: str = "KS-102", boost: float = 1.0) -> None:
    opened = current_state(catalog_dir)
    data = tomllib.loads(opened.weights_text)
    data.setdefault("boosts", {})[sku] = boost
    save_proposal(catalog_dir, propose(opened, data, {}), base_token=opened.token, who="ana")


@pytest.fixture(autouse=True)
def fresh_process():
    forget_last_good()
    yield
    forget_last_good()


@pytest.mark.parametrize("how", ["rules = 5.0", "broken TOML", "nested 5,000 deep", "a directory"])
def test_a_broken_weights_file_after_a_good_search_keeps_the_last_good_weights(catalog_dir, how):
    boosted_save(catalog_dir, "KS-104")
    good = load_serving_engine(catalog_dir)
    assert good.notices == ()
    break_weights(catalog_dir, how)

    served = load_serving_engine(catalog_dir)

    assert skus(served) == skus(good)
    assert served.weights == good.weights
    (notice,) = served.notices
    assert notice.startswith(CATALOG_NOTICE) and "weights.toml" in notice
    assert "last good weights" in notice


def test_the_shopper_is_not_told_the_model_is_paused_for_a_weights_notice(catalog_dir):
    load_serving_engine(catalog_dir)
    break_weights(catalog_dir, "broken TOML")
    result = load_serving_engine(catalog_dir).recommend(KNEE_RUNNER)
    assert result.notices and result.items
    assert MODEL_PAUSED not in shopper_notes(result, None)


def test_a_fresh_start_with_a_broken_file_serves_the_newest_saved_version(catalog_dir):
    boosted_save(catalog_dir, "KS-104")
    saved = load_serving_engine(catalog_dir)
    forget_last_good()  # a restart
    break_weights(catalog_dir, "rules = 5.0")

    served = load_serving_engine(catalog_dir)

    assert served.weights.boost("KS-104") == 1.0 and skus(served) == skus(saved)
    assert "serving saved version 2 of the weights" in served.notices[0]


def test_a_fresh_start_with_a_broken_file_and_no_saved_version_serves_the_defaults(catalog_dir):
    break_weights(catalog_dir, "broken TOML")
    served = load_serving_engine(catalog_dir)
    assert served.weights == Weights()
    assert "serving the default weights" in served.notices[0]


def test_a_broken_products_file_keeps_the_last_good_catalog(catalog_dir):
    good = load_serving_engine(catalog_dir)
    (catalog_dir / "products.csv").write_bytes(b"sku,name\n\xff\xfe")
    served = load_serving_engine(catalog_dir)
    assert skus(served) == skus(good)
    assert "products.csv" in served.notices[0] and "last good catalog" in served.notices[0]


def test_with_no_catalog_ever_loaded_a_broken_products_file_is_refused(catalog_dir):
    (catalog_dir / "products.csv").write_text("sku,name\n")
    with pytest.raises(CatalogError, match="missing column"):
        load_serving_engine(catalog_dir)


def test_once_the_file_is_fixed_the_notice_goes_and_the_new_weights_serve(catalog_dir):
    load_serving_engine(catalog_dir)
    original = (catalog_dir / "weights.toml").read_text()
    break_weights(catalog_dir, "broken TOML")
    assert load_serving_engine(catalog_dir).notices
    (catalog_dir / "weights.toml").write_text(original.replace("boost = 0.3", "boost = 0.5"))
    fixed = load_serving_engine(catalog_dir)
    assert fixed.notices == () and fixed.weights.blend_boost == 0.5


def test_recommend_on_the_command_line_serves_and_names_the_refused_file(
    catalog_dir, tmp_path, capsys
):
    boosted_save(catalog_dir, "KS-104")
    break_weights(catalog_dir, "rules = 5.0")
    answers = tmp_path / "a.json"
    answers.write_text(json.dumps({"pain_areas": ["knee"], "activities": ["running"]}))

    code = main(["recommend", "--answers", str(answers)])

    out, err = capsys.readouterr()
    assert code == 0 and json.loads(out)["items"]
    assert "weights.toml" in err and "saved version 2" in err and "Traceback" not in err


@pytest.mark.parametrize(
    "state", ["[1]", '{"promoted": 5}', '{"promoted": null, "history": 3}', "{not json"]
)
def test_a_damaged_registry_means_rules_only_with_a_notice(catalog_dir, tmp_path, capsys, state):
    models = tmp_path / "models"
    models.mkdir()
    (models / "registry.json").write_text(state)
    answers = tmp_path / "a.json"
    answers.write_text(json.dumps({"pain_areas": ["knee"]}))

    assert main(["recommend", "--answers", str(answers)]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["model_version"] == "rules-only"
    assert "registry.json" in err and "rules-only" in err

    assert main(["models", "list"]) == 0
    out, err = capsys.readouterr()
    assert "registry.json" in out and "rules-only" in out and err == ""


def test_a_copied_catalog_keeps_its_own_last_good_files(catalog_dir, tmp_path):
    other = tmp_path / "other"
    shutil.copytree(catalog_dir, other)
    load_serving_engine(catalog_dir)
    break_weights(other, "broken TOML")
    assert "default weights" in load_serving_engine(other).notices[0]


def test_a_non_utf8_products_file_can_be_rolled_back_from_the_command_line(catalog_dir, capsys):
    boosted_save(catalog_dir, "KS-104")
    saved = current_state(catalog_dir)
    (catalog_dir / "products.csv").write_bytes(b"\xff\xfe" + saved.products_text.encode())
    assert main(["weights", "rollback", "--to", "2", "--who", "ana"]) == 0
    assert current_state(catalog_dir) == saved
    assert "restored version 2" in capsys.readouterr().out


def test_a_weights_folder_that_cannot_be_replaced_names_the_setting(catalog_dir, capsys):
    boosted_save(catalog_dir, "KS-104")
    (catalog_dir / "weights.toml").unlink()
    (catalog_dir / "weights.toml").mkdir()
    (catalog_dir / "weights.toml" / "stray").write_text("x")
    assert main(["weights", "rollback", "--to", "2", "--who", "ana"]) == 2
    err = capsys.readouterr().err
    assert "RECOMMENDER_CATALOG" in err and "nothing was changed" in err
    assert not (catalog_dir / ".history" / "pending.json").exists()
    assert [e.version for e in history(catalog_dir)] == [1, 2]


# Whatever a hand edit leaves in weights.toml: TOML-looking lines, stray bytes, or nothing.
TOML_PIECES = st.sampled_from(
    ["[blend]", "[boosts]", "rules = 5.0", "rules = 0.5", "boost = -1", "KS-101 = 0.9", "= =",
     "[[", "schema_version = 2", 'model = "x"', "max_per_category = 3", "[limits]", "\x00"]
)  # fmt: skip
WEIGHTS_FILES = st.one_of(
    st.lists(TOML_PIECES, max_size=6).map(lambda lines: "\n".join(lines).encode()),
    st.binary(max_size=200),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(content=WEIGHTS_FILES, raw=raw_answers())
def test_no_weights_edit_takes_the_shop_down_or_serves_half_valid_weights(
    tmp_path_factory, content, raw
):
    forget_last_good()
    catalog_dir = tmp_path_factory.mktemp("catalog")
    shutil.copytree(
        CATALOG_DIR, catalog_dir, dirs_exist_ok=True, ignore=shutil.ignore_patterns(".history")
    )
    good = load_serving_engine(catalog_dir)
    (catalog_dir / "weights.toml").write_bytes(content)

    served = load_serving_engine(catalog_dir)

    if served.notices:  # refused whole: exactly the last good weights
        assert served.weights == good.weights
        assert all(n.startswith(CATALOG_NOTICE + "weights.toml is refused") for n in served.notices)
    else:  # accepted whole: exactly what the file says
        assert served.weights == load_weights(catalog_dir, load_rule_book().ids, good.catalog.skus)
    answers = parse_answers(raw)
    assert served.screen(answers) == good.screen(answers)
    assert served.recommend(answers).triage == good.recommend(answers).triage
