"""The measured check of issue 19 ("Done means"): over 3,000 generated shoppers (our own seeded
generator, `recommender.shopper.audit`), how many results break each rule a clinician reading
them would check. Every count's target is 0; tests/shopper/test_clinical_audit.py runs the same
count over a few hundred shoppers."""

from __future__ import annotations

from pathlib import Path

from recommender.shopper.audit import audit, compression_skus, generated_shoppers
from recommender.shopper.engine import DEFAULT_K, load_engine
from recommender.shopper.guidance import held_categories

CATALOG_DIR = Path(__file__).resolve().parents[1] / "catalog"
SHOPPERS = 3000
_WORDS = {
    "out_of_score_order": ("results out of score order", "results"),
    "reason_names_another_kind": ("reasons naming a product kind the item is not", "items"),
    "knee_sparing_on_non_knee_product": ("knee-sparing reasons on non-knee products", "items"),
    "bunion_corrector_for_no_bunions": ("bunion correctors for 'no bunions'", "items"),
    "compression_with_neuropathy": (
        "compression shown with numb feet or diabetic numbness",
        "items",
    ),
    "nothing_needed_beside_see_someone": (
        "'needs no clinician' banners beside a card that says to see one",
        "results",
    ),
}


def run() -> list[dict]:
    """Rows: how many generated shoppers' results break each rule a clinician would check."""
    engine = load_engine(CATALOG_DIR)
    shoppers = generated_shoppers(SHOPPERS)
    found = audit(
        ((answers, engine.recommend(answers, DEFAULT_K)) for answers in shoppers),
        compression_skus(engine.catalog),
    )
    held = sum(1 for answers in shoppers if held_categories(answers))
    rows = [
        {
            "name": f"shoppers a NICE placement (NG59, NG226) applies to, of {SHOPPERS:,}",
            "value": held,
            "unit": "shoppers",
            "target": "(context)",
        }
    ]
    for key, count in found.problems().items():
        name, unit = _WORDS[key]
        rows.append(
            {"name": f"{name}, of {SHOPPERS:,}", "value": count, "unit": unit, "target": "0"}
        )
    return rows
