"""Learning from biased feedback helps, the position correction matters, and runs repeat."""

from __future__ import annotations

import io

import joblib
import numpy as np

from recommender.feedback import columns as col
from training.evaluate import evaluate, paired_bootstrap
from training.metrics import NDCG, RankedLists
from training.model import fit_ranker
from training.pipeline import compare
from training.rankers import RULES_ONLY, ModelRanker, PopularityRanker, RulesOnlyRanker
from training.simulate import true_relevance


def test_learned_model_beats_rules_only_on_held_out_sessions(prepared, corrected):
    evaluation = evaluate(
        ModelRanker("candidate", corrected),
        [RulesOnlyRanker(), PopularityRanker().fit(prepared.train)],
        prepared.test,
    )

    # Judged on every held-out session corrected for position bias, and cross-checked on the
    # sessions shown in random order: both see the gain.
    assert evaluation.corrected_difference(RULES_ONLY).low > 0, evaluation.corrected.differences
    assert evaluation.explore_check.differences[RULES_ONLY].low > 0


def test_position_corrected_model_ranks_closer_to_the_truth(
    feedback, prepared, corrected, uncorrected
):
    # The simulator knows what each shopper really liked: judge both models against that.
    truth = _true_grades(feedback, prepared.test)
    ndcg = {
        name: _truth_ndcg(
            prepared.test, truth, model.positive_score(prepared.test.features(model.sku_vocabulary))
        )
        for name, model in (("corrected", corrected), ("uncorrected", uncorrected))
    }

    difference = paired_bootstrap(ndcg["corrected"], ndcg["uncorrected"])
    assert difference.low > 0, difference


def test_position_is_learned_as_bias_and_held_fixed_when_serving(prepared, corrected):
    rows = prepared.test.features(corrected.sku_vocabulary)
    served_first = corrected.positive_score(rows.assign(position=1.0))
    served_last = corrected.positive_score(rows.assign(position=5.0))
    np.testing.assert_allclose(served_first, served_last)  # the slot cannot change a score

    # Underneath, the model did learn that lower slots get fewer clicks: that is the bias it
    # takes out of the products' scores.
    raw_first = corrected.estimator_.predict_proba(rows.assign(position=1.0).to_numpy(np.float32))
    raw_last = corrected.estimator_.predict_proba(rows.assign(position=5.0).to_numpy(np.float32))
    assert raw_last[:, 1].mean() < 0.8 * raw_first[:, 1].mean()


def test_same_data_and_seed_give_the_same_model_and_rankings(prepared, corrected):
    again = fit_ranker(prepared.train, correction="position", seed=0)
    rows = prepared.test.features(corrected.sku_vocabulary)

    np.testing.assert_array_equal(corrected.positive_score(rows), again.positive_score(rows))
    assert _dump(corrected) == _dump(again)


def _dump(model) -> bytes:
    buffer = io.BytesIO()
    joblib.dump(model, buffer)
    return buffer.getvalue()


def _true_grades(feedback, data) -> np.ndarray:
    # Fractional grades: NDCG's gain 2 ** grade - 1 is then the expected gain itself.
    gains = true_relevance(feedback.world, feedback.sessions, data.rows, data.rule_score)
    return np.log2(gains + 1)


def _truth_ndcg(data, truth: np.ndarray, scores: np.ndarray) -> np.ndarray:
    lists = RankedLists.rank_by(
        data.rows[col.SESSION_ID].to_numpy(), truth, scores, data.rows[col.SKU].to_numpy()
    )
    return NDCG(5).per_session(lists)


def test_hit_rate_at_5_ranks_every_allowed_product_not_just_the_five_shown(prepared, corrected):
    # Five products were shown per session: re-ordering only those, every ranker "hits" at 5.
    evaluation = compare(prepared, ModelRanker("candidate", corrected), None, seed=0)
    hit_rate = {name: values["hit_rate@5"] for name, values in evaluation.metrics.items()}

    assert all(0 < rate < 1 for rate in hit_rate.values()), hit_rate
    assert len(set(hit_rate.values())) > 1  # it tells rankers apart
    assert 0 < evaluation.metrics["candidate"]["coverage@5"] <= 1
