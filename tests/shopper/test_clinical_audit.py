"""The measured check of issue 19 ("Done means"), over a few hundred generated shoppers: the
`make bench` row (benchmarks/clinical_bench.py) runs the same count over 3,000."""

from __future__ import annotations

from dataclasses import replace

from recommender.shopper.answers import parse_answers
from recommender.shopper.audit import audit, compression_skus, generated_shoppers
from recommender.shopper.result import Reason


def test_generated_shoppers_cover_the_answers_guidance_turns_on():
    shoppers = generated_shoppers(300)
    assert shoppers == generated_shoppers(300)  # seeded: the same shoppers every run
    assert any("osteoarthritis" in s.conditions for s in shoppers)
    assert any(s.bunions == "none" for s in shoppers)
    assert any(
        s.age_band in ("50_54", "55_64") and s.pain_started == "over_12_weeks" for s in shoppers
    )


def test_no_result_breaks_a_rule_a_clinician_would_check(engine):
    shoppers = generated_shoppers(300)
    found = audit(
        ((answers, engine.recommend(answers, 10)) for answers in shoppers),
        compression_skus(engine.catalog),
    )
    assert found.results == 300
    assert found.problems() == dict.fromkeys(found.problems(), 0)


def test_the_audit_catches_each_broken_rule(engine):
    """The check can fail: a result doctored to break each rule is counted."""
    answers = parse_answers(
        {"pain_areas": ["foot", "knee"], "bunions": "none", "habits": ["high_heels"]}
    )
    result = engine.recommend(answers, 10)
    first, second = result.items[:2]
    upside_down = result.with_items((first, replace(second, score=first.score + 1)))
    knee_words = Reason(
        "x", "Because you told us about knee pain, this keeps stress off the knees.", ""
    )
    insole = next(item for item in result.items if item.category == "orthotic_insole")
    misnamed = replace(insole, reasons=(*insole.reasons, Reason("x", "A hinged brace helps.", "")))
    spared = replace(insole, reasons=(*insole.reasons, knee_words))
    toe = replace(insole, category="bunion_corrector", reasons=insole.reasons[:1])
    noted = replace(insole, cautions=("Ask a podiatrist first.",))
    calm = replace(result.triage, message="Nothing in your answers needs a clinician first.")
    numb = parse_answers({"pain_areas": ["foot"], "symptoms": ["numb_feet"]})
    sleeve = replace(insole, sku=sorted(compression_skus(engine.catalog))[0])
    found = audit(
        [
            (answers, upside_down),
            (answers, result.with_items((misnamed, spared, toe))),
            (answers, replace(result.with_items((noted,)), triage=calm)),
            (numb, result.with_items((sleeve,))),
        ],
        compression_skus(engine.catalog),
    )
    assert found.out_of_score_order == 1
    assert found.reason_names_another_kind == 1
    assert found.knee_sparing_on_non_knee_product == 1
    assert found.bunion_corrector_for_no_bunions == 1
    assert found.nothing_needed_beside_see_someone == 1
    assert found.compression_with_neuropathy == 1
