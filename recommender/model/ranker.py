"""The ranker contract, as the model package implements it: defined by the shopper core.

The contract belongs to its consumer, the engine (`recommender.shopper.ranker`); this module
names it for code that thinks of rankers as models. New code imports from the shopper core.
"""

from __future__ import annotations

from recommender.shopper.ranker import (
    RULE_RAW,
    RULE_SCORE,
    RULES_ONLY,
    Pairs,
    Ranker,
    RulesOnlyRanker,
)

__all__ = ["RULES_ONLY", "RULE_RAW", "RULE_SCORE", "Pairs", "Ranker", "RulesOnlyRanker"]
